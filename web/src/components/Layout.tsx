import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { roleLabel, useAuth } from '../auth';
import { visibleNav } from '../nav';
import { isActivePath, Link, useLocation } from '../router';
import { IconChevronDown, IconClose, IconLogout, IconMenu } from './Icons';
import { Avatar } from './ui';

function Brand() {
  return (
    <Link to="/" className="brand" aria-label="Gatehouse home">
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--brand)" />
        <path d="M9 25V13l7-5 7 5v12h-4.5v-7h-5v7z" fill="#fff" />
      </svg>
      <span className="brand-name">Gatehouse</span>
    </Link>
  );
}

function Sidebar({ open, onNavigate }: { open: boolean; onNavigate: () => void }) {
  const { user } = useAuth();
  const { pathname } = useLocation();
  return (
    <aside className={`sidebar${open ? ' sidebar-open' : ''}`} id="app-sidebar" aria-label="Main navigation">
      <div className="sidebar-brand">
        <Brand />
      </div>
      <nav className="nav">
        <ul className="nav-list">
          {visibleNav(user?.role).map((item) => {
            const active = isActivePath(pathname, item.to);
            const Icon = item.icon;
            return (
              <li key={item.to}>
                <Link
                  to={item.children ? item.children[0].to : item.to}
                  className={`nav-link${active ? ' nav-link-active' : ''}`}
                  aria-current={active && !item.children ? 'page' : undefined}
                  onClick={onNavigate}
                  data-testid={`nav-${item.label.toLowerCase().replace(/\s+/g, '-')}`}
                >
                  <Icon size={18} />
                  <span>{item.label}</span>
                </Link>
                {item.children && active && (
                  <ul className="nav-sub">
                    {item.children.map((c) => {
                      const subActive = isActivePath(pathname, c.to);
                      return (
                        <li key={c.to}>
                          <Link
                            to={c.to}
                            className={`nav-sublink${subActive ? ' nav-sublink-active' : ''}`}
                            aria-current={subActive ? 'page' : undefined}
                            onClick={onNavigate}
                          >
                            {c.label}
                          </Link>
                        </li>
                      );
                    })}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="sidebar-footer">
        <a href="/api/docs" target="_blank" rel="noreferrer">
          API reference
        </a>
        <span>Gatehouse</span>
      </div>
    </aside>
  );
}

function UserMenu() {
  const { user, logout } = useAuth();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const menuId = useId();
  const wrapRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const firstItemRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    firstItemRef.current?.focus();
    const onDown = (e: MouseEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (!user) return null;
  return (
    <div className="user-menu" ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        className="user-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu"
      >
        <Avatar name={user.email} size={30} />
        <span className="user-menu-text">
          <span className="user-menu-email">{user.email}</span>
          <span className="user-menu-role">{roleLabel(user.role)}</span>
        </span>
        <IconChevronDown size={16} />
      </button>
      {open && (
        <div className="menu" role="menu" id={menuId} aria-label="Account">
          <div className="menu-header">
            <p className="menu-email" data-testid="user-email">
              {user.email}
            </p>
            <p className="menu-role" data-testid="user-role">
              {roleLabel(user.role)}
              {user.entity?.name ? ` · ${user.entity.name}` : ''}
            </p>
          </div>
          <button
            ref={firstItemRef}
            type="button"
            role="menuitem"
            className="menu-item"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await logout();
            }}
            data-testid="logout"
          >
            <IconLogout size={16} /> Sign out
          </button>
        </div>
      )}
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const [navOpen, setNavOpen] = useState(false);
  const { pathname } = useLocation();
  const { user } = useAuth();

  useEffect(() => setNavOpen(false), [pathname]);
  useEffect(() => {
    if (!navOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setNavOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [navOpen]);

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Sidebar open={navOpen} onNavigate={() => setNavOpen(false)} />
      {navOpen && <div className="scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />}
      <div className="main-col">
        <header className="topbar">
          <button
            type="button"
            className="icon-btn nav-toggle"
            aria-controls="app-sidebar"
            aria-expanded={navOpen}
            aria-label={navOpen ? 'Close navigation' : 'Open navigation'}
            onClick={() => setNavOpen((o) => !o)}
            data-testid="nav-toggle"
          >
            {navOpen ? <IconClose /> : <IconMenu />}
          </button>
          <div className="topbar-brand">
            <Brand />
          </div>
          <div className="topbar-org">
            {user?.entity && (
              <>
                <span className="topbar-org-name">{user.entity.name}</span>
                <span className="topbar-org-tz">{user.entity.timezone}</span>
              </>
            )}
          </div>
          <UserMenu />
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
