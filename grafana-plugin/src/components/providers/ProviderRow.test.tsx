import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ProviderRow } from './ProviderRow';
import * as resources from '../../api/resources';
import { ControlPlaneError } from '../../api/controlPlane';

jest.mock('../../api/resources', () => ({
  ...jest.requireActual('../../api/resources'),
  putProvider: jest.fn(),
  deleteProvider: jest.fn(),
}));

const state: resources.ProviderState = {
  org: 'acme',
  provider: 'openai',
  enabled: true,
  priority: 0,
  limits: { hourly_requests: 100 },
  usage: { hour_requests: 7, hour_tokens: 1200, day_requests: 30, day_tokens: 9000 },
};

describe('ProviderRow', () => {
  beforeEach(() => jest.clearAllMocks());

  test('shows the exact usage and saves a changed priority and limit', async () => {
    jest.mocked(resources.putProvider).mockResolvedValue(state);
    const onChanged = jest.fn();
    render(<ProviderRow state={state} writable onChanged={onChanged} />);
    expect(screen.getByText(/7 req, 1,200 tok \/ 30 req,\s+9,000 tok/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Priority acme/openai'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Tokens / day acme/openai'), { target: { value: '50000' } });
    fireEvent.click(screen.getByLabelText('Save acme/openai'));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(resources.putProvider).toHaveBeenCalledWith('acme', 'openai', {
      enabled: true,
      priority: 2,
      limits: { hourly_requests: 100, daily_tokens: 50000 },
    });
  });

  test('refuses a bad priority before sending', () => {
    render(<ProviderRow state={state} writable onChanged={jest.fn()} />);
    fireEvent.change(screen.getByLabelText('Priority acme/openai'), { target: { value: 'first' } });
    fireEvent.click(screen.getByLabelText('Save acme/openai'));
    expect(screen.getByText('A whole number from 0 (tried first) to 1000000')).toBeInTheDocument();
    expect(resources.putProvider).not.toHaveBeenCalled();
  });

  test('adds a new provider setting and shows an API refusal', async () => {
    jest
      .mocked(resources.putProvider)
      .mockRejectedValue(
        new ControlPlaneError(
          403,
          'forbidden',
          'plugin proxy route access denied: this action needs the Grafana Admin role'
        )
      );
    render(<ProviderRow writable onChanged={jest.fn()} />);
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'anthropic' } });
    fireEvent.click(screen.getByLabelText('Add provider'));
    expect(
      await screen.findByText('plugin proxy route access denied: this action needs the Grafana Admin role')
    ).toBeInTheDocument();
    expect(resources.putProvider).toHaveBeenCalledWith('*', 'anthropic', { enabled: true, priority: 0, limits: {} });
  });

  test('read-only for non-admins', () => {
    render(<ProviderRow state={state} writable={false} onChanged={jest.fn()} />);
    expect(screen.getByLabelText('Priority acme/openai')).toBeDisabled();
    expect(screen.queryByLabelText('Save acme/openai')).not.toBeInTheDocument();
  });
});
