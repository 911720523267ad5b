import { providerForm, validateProvider } from './providerForm';

describe('validateProvider', () => {
  test('sends enabled, priority and only the limits that are set', () => {
    const f = {
      ...providerForm(),
      provider: 'openai',
      priority: '3',
      limits: { hourly_requests: '100', daily_requests: '', hourly_tokens: ' 5000 ', daily_tokens: '' },
    };
    expect(validateProvider(f)).toEqual({
      ok: true,
      body: { enabled: true, priority: 3, limits: { hourly_requests: 100, hourly_tokens: 5000 } },
    });
  });

  test('names every bad field', () => {
    const f = {
      ...providerForm(),
      org: '',
      provider: 'a/b',
      priority: '1.5',
      limits: { hourly_requests: '-1', daily_requests: 'x', hourly_tokens: '', daily_tokens: '' },
    };
    expect(validateProvider(f)).toEqual({
      ok: false,
      errors: {
        org: 'Name the organisation, or "*" for every organisation',
        provider: 'A provider name has no "/"',
        priority: 'A whole number from 0 (tried first) to 1000000',
        hourly_requests: 'A whole number ≥ 0, or empty for no limit',
        daily_requests: 'A whole number ≥ 0, or empty for no limit',
      },
    });
  });

  test('a stored provider fills the form', () => {
    const f = providerForm({
      org: 'acme',
      provider: 'anthropic',
      enabled: false,
      priority: 2,
      limits: { daily_tokens: 10 },
    });
    expect(f).toEqual({
      org: 'acme',
      provider: 'anthropic',
      enabled: false,
      priority: '2',
      limits: { hourly_requests: '', daily_requests: '', hourly_tokens: '', daily_tokens: '10' },
    });
  });
});
