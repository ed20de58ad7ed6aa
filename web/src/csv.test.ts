import { describe, expect, it } from 'vitest';
import { parseCsv, previewMemberCsv } from './csv';

describe('parseCsv', () => {
  it('splits simple records and skips blank lines', () => {
    expect(parseCsv('a,b,c\n1,2,3\n\n4,5,6\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
  });

  it('handles quotes, escaped quotes, embedded commas and newlines, CRLF and a BOM', () => {
    const text = '\ufeffname,note\r\n"Smith, Jane","said ""hi""\nthen left"\r\nBob,\r\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'note'],
      ['Smith, Jane', 'said "hi"\nthen left'],
      ['Bob', ''],
    ]);
  });

  it('keeps a last record without a trailing newline and empty fields', () => {
    expect(parseCsv('a,b\n,')).toEqual([
      ['a', 'b'],
      ['', ''],
    ]);
  });
});

describe('previewMemberCsv', () => {
  const header = 'firstName,lastName,email,phone,memberNumber';

  it('counts data rows and maps them by header', () => {
    const p = previewMemberCsv(`${header}\nAda,Lovelace,ada@example.org,,\nAlan,Turing,alan@example.org,+49 1,M-2\n`);
    expect(p.rowCount).toBe(2);
    expect(p.problems).toEqual([]);
    expect(p.rows[1]).toEqual({ firstName: 'Alan', lastName: 'Turing', email: 'alan@example.org', phone: '+49 1', memberNumber: 'M-2' });
  });

  it('reports missing and unknown columns and rows with too many cells', () => {
    const p = previewMemberCsv('firstName,email,shoeSize\nAda,ada@example.org\nAlan,alan@example.org,44,extra\n');
    expect(p.rowCount).toBe(2);
    expect(p.problems).toEqual([
      'Missing column: lastName.',
      'Unknown column: shoeSize.',
      'Row 3 has 4 cells but the header has 3.',
    ]);
  });

  it('numbers rows like the server (header = row 1) and accepts ";", any header case and underscores', () => {
    const p = previewMemberCsv('FIRST_NAME;lastname;Email\nAda;Lovelace;ada@example.org\n\nAlan;Turing;alan@example.org\n');
    expect(p.delimiter).toBe(';');
    expect(p.header).toEqual(['firstName', 'lastName', 'email']);
    expect(p.problems).toEqual([]);
    expect(p.rowNumbers).toEqual([2, 3]);
    expect(p.rows[1].lastName).toBe('Turing');
  });

  it('treats an empty text as an empty file', () => {
    expect(previewMemberCsv('   \n')).toMatchObject({ rowCount: 0, problems: ['The file is empty.'] });
  });

  it('accepts a header-only file with zero rows', () => {
    expect(previewMemberCsv(header)).toMatchObject({ rowCount: 0, problems: [] });
  });
});
