import { describe, expect, it } from 'vitest';
import { ApiError, fieldErrors, fieldName, isStaleVersion, parseProblem, parseRetryAfter, problemMessage } from './problem';

describe('parseProblem', () => {
  it('reads an RFC 9457 problem document with field errors', () => {
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Unprocessable Entity',
      status: 422,
      detail: 'validation failed',
      errors: [
        { message: 'expected string to be an email', location: 'body.email', value: 'nope' },
        { message: 'expected length >= 1', location: 'body.firstName', value: '' },
      ],
    });
    const p = parseProblem(422, 'application/problem+json', body);
    expect(p.status).toBe(422);
    expect(p.detail).toBe('validation failed');
    expect(fieldErrors(p.errors)).toEqual({
      email: 'Expected string to be an email',
      firstName: 'Expected length >= 1',
    });
  });

  it('keeps extension members such as rowErrors', () => {
    const p = parseProblem(
      422,
      'application/problem+json; charset=utf-8',
      '{"title":"Import rejected","status":422,"rowErrors":[{"row":2,"field":"email","message":"invalid"}]}',
    );
    expect(p.rowErrors).toEqual([{ row: 2, field: 'email', message: 'invalid' }]);
  });

  it('fills in the status when the body omits it', () => {
    expect(parseProblem(409, 'application/json', '{"title":"Conflict"}').status).toBe(409);
  });

  it('turns a plain-text body into a detail', () => {
    const p = parseProblem(502, 'text/plain', 'upstream down\n');
    expect(p).toMatchObject({ status: 502, title: 'Server unavailable', detail: 'upstream down' });
  });

  it('ignores an HTML error page and broken JSON', () => {
    expect(parseProblem(500, 'text/html', '<html><body>oops</body></html>').detail).toBeUndefined();
    expect(parseProblem(400, 'application/json', '{not json').detail).toBe('{not json');
  });
});

describe('problemMessage', () => {
  it('prefers detail, then title, then a status text', () => {
    expect(problemMessage(400, { title: 'Bad', detail: 'Name is missing' })).toBe('Name is missing');
    expect(problemMessage(400, { title: 'Bad Request' })).toBe('Bad Request');
    expect(problemMessage(404, {})).toBe('Not found');
    expect(problemMessage(418, {})).toBe('Request failed (418)');
  });
});

describe('fieldName', () => {
  it('strips the request part prefix', () => {
    expect(fieldName('body.email')).toBe('email');
    expect(fieldName('query.size')).toBe('size');
    expect(fieldName('body.items[0].name')).toBe('items[0].name');
    expect(fieldName('/memberNumber')).toBe('memberNumber');
    expect(fieldName('body')).toBe('');
    expect(fieldName(undefined)).toBe('');
  });

  it('keeps the first message per field and tolerates junk', () => {
    expect(
      fieldErrors([
        { message: 'first', location: 'body.email' },
        { message: 'second', location: 'body.email' },
        { message: 'whole body', location: 'body' },
        null as never,
      ]),
    ).toEqual({ email: 'First', '': 'Whole body' });
    expect(fieldErrors(null)).toEqual({});
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:45 GMT', now)).toBe(45);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('ApiError', () => {
  it('exposes the message and field errors', () => {
    const e = new ApiError(422, { detail: 'validation failed', errors: [{ message: 'taken', location: 'body.memberNumber' }] }, 5);
    expect(e.message).toBe('validation failed');
    expect(e.fieldErrors).toEqual({ memberNumber: 'Taken' });
    expect(e.retryAfterSeconds).toBe(5);
    expect(e).toBeInstanceOf(Error);
  });
});

describe('409 conflicts', () => {
  it('maps a conflict that names a field to that field', () => {
    const e = new ApiError(409, { status: 409, detail: 'a member with this e-mail address already exists', field: 'email' });
    expect(e.fieldErrors).toEqual({ email: 'A member with this e-mail address already exists' });
    expect(e.isStaleVersion).toBe(false);
  });

  it('recognises a stale version, and not an invalid transition', () => {
    expect(isStaleVersion(409, { detail: 'the member was changed by someone else; reload it and try again' })).toBe(true);
    expect(isStaleVersion(409, { type: 'https://gatehouse.dev/problems/stale-version' })).toBe(true);
    expect(isStaleVersion(409, { detail: 'a CANCELLED contract cannot become ACTIVE; create a new contract instead' })).toBe(false);
    expect(isStaleVersion(422, { detail: 'stale' })).toBe(false);
  });
});
