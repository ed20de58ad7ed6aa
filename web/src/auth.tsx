import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { getToken, setToken, setUnauthorizedHandler } from './api/client';
import { api } from './api/endpoints';
import type { Me, Role } from './api/types';
import { useNavigate } from './router';

type Status = 'loading' | 'anonymous' | 'authenticated';

interface AuthValue {
  status: Status;
  user: Me | null;
  /** Set when the session ended on its own (a 401), shown on the login page. */
  sessionNotice: string | null;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export const ROLE_LABELS: Record<Role, string> = {
  PLATFORM_ADMIN: 'Platform admin',
  CLUB_ADMIN: 'Club admin',
  STAFF: 'Staff',
  TRAINER: 'Trainer',
  MEMBER: 'Member',
};

export function roleLabel(role: string | undefined): string {
  return (role && ROLE_LABELS[role as Role]) || role || '';
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const [status, setStatus] = useState<Status>(() => (getToken() ? 'loading' : 'anonymous'));
  const [user, setUser] = useState<Me | null>(null);
  const [sessionNotice, setSessionNotice] = useState<string | null>(null);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setUser(null);
      setStatus('anonymous');
      setSessionNotice('Your session has ended. Please sign in again.');
      const here = window.location.pathname + window.location.search;
      if (!window.location.pathname.startsWith('/login')) {
        navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
      }
    });
    return () => setUnauthorizedHandler(null);
  }, [navigate]);

  useEffect(() => {
    if (!getToken()) return;
    const ctrl = new AbortController();
    api
      .me(ctrl.signal)
      .then((me) => {
        setUser(me);
        setStatus('authenticated');
      })
      .catch((e: unknown) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        // 401 is handled by the unauthorized handler; anything else: show login.
        setStatus('anonymous');
      });
    return () => ctrl.abort();
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const res = await api.login({ email, password });
    setToken(res.token);
    let me: Me = res.user;
    try {
      me = await api.me();
    } catch {
      // keep the login answer's user
    }
    setSessionNotice(null);
    setUser(me);
    setStatus('authenticated');
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // the token is dropped locally either way
    }
    setToken(null);
    setUser(null);
    setSessionNotice(null);
    setStatus('anonymous');
    navigate('/login', { replace: true });
  }, [navigate]);

  const value = useMemo(
    () => ({ status, user, sessionNotice, login, logout }),
    [status, user, sessionNotice, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

const STAFF_ROLES: Role[] = ['PLATFORM_ADMIN', 'CLUB_ADMIN', 'STAFF'];
const ADMIN_ROLES: Role[] = ['PLATFORM_ADMIN', 'CLUB_ADMIN'];

export function isStaff(role: string | undefined): boolean {
  return STAFF_ROLES.includes(role as Role);
}

export function isAdmin(role: string | undefined): boolean {
  return ADMIN_ROLES.includes(role as Role);
}
