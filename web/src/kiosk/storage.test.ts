import { describe, expect, it } from 'vitest';
import { hashPin, pinProblem, sha256, verifyPin } from './storage';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('kiosk PIN', () => {
  it('the fallback SHA-256 matches the standard test vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(hex(sha256(enc('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(enc('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(hex(sha256(enc('a'.repeat(1000))))).toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
  });

  it('stores a salted hash and verifies it', async () => {
    const h = await hashPin('2468', 'salt');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain('2468');
    expect(await verifyPin('2468', { pinSalt: 'salt', pinHash: h })).toBe(true);
    expect(await verifyPin('2469', { pinSalt: 'salt', pinHash: h })).toBe(false);
    expect(await verifyPin('2468', { pinSalt: 'other', pinHash: h })).toBe(false);
  });

  it('checks the PIN format', () => {
    expect(pinProblem('12')).toMatch(/at least 4/);
    expect(pinProblem('12a4')).toMatch(/digits only/);
    expect(pinProblem('1234567890123')).toMatch(/at most 12/);
    expect(pinProblem('0000')).toBeNull();
  });
});
