import { describe, expect, it } from 'vitest';
import { attributionFromHeaders } from '../../src/attribution/headers.js';

describe('attributionFromHeaders', () => {
  it('maps the default x-tokenmeter-* headers', () => {
    const read = attributionFromHeaders();
    expect(
      read({
        'x-tokenmeter-org': 'acme',
        'x-tokenmeter-department': 'Search Team',
        'x-tokenmeter-feature': 'answers',
        'x-tokenmeter-user': 'alice@acme.io',
        'x-tokenmeter-investigation': 'INC-42',
        'x-tokenmeter-session': 's:9',
        'x-other': 'ignored',
      }),
    ).toEqual({ org: 'acme', department: 'Search Team', feature: 'answers', user: 'alice@acme.io', investigation: 'INC-42', session: 's:9' });
  });

  it('ignores invalid values: too long, control or non-ASCII characters, quotes, repeated headers, blanks', () => {
    const read = attributionFromHeaders();
    expect(
      read({
        'x-tokenmeter-user': 'u'.repeat(129),
        'x-tokenmeter-org': 'acme\u0000evil',
        'x-tokenmeter-feature': 'naïve',
        'x-tokenmeter-department': '"dept"',
        'x-tokenmeter-session': ['a', 'b'],
        'x-tokenmeter-investigation': '   ',
      }),
    ).toEqual({});
    expect(read({ 'x-tokenmeter-user': 'u'.repeat(128) })).toEqual({ user: 'u'.repeat(128) });
  });

  it('takes configured header names, disabled fields, length and pattern', () => {
    const read = attributionFromHeaders({ headers: { user: 'X-User-Id', org: false }, maxValueLength: 4, valuePattern: /^[a-z]+$/ });
    expect(read({ 'x-user-id': 'bob', 'x-tokenmeter-org': 'acme', 'x-tokenmeter-feature': 'abcde' })).toEqual({ user: 'bob' });
    expect(attributionFromHeaders({ headers: false })({ 'x-tokenmeter-user': 'bob' })).toEqual({});
  });

  it('rejects bad options with exact messages', () => {
    expect(() => attributionFromHeaders({ headers: { user: 'bad header' } })).toThrow('headers.user must be an HTTP header name or false, got "bad header"');
    expect(() => attributionFromHeaders({ headers: { team: 'x-team' } as never })).toThrow(
      'unknown attribution field "team" in headers (allowed: org, department, feature, user, investigation, session, project)',
    );
    expect(() => attributionFromHeaders({ maxValueLength: 0 })).toThrow('maxValueLength must be a positive integer, got 0');
  });
});
