import React from 'react';
import { render, screen } from '@testing-library/react';
import { Loadable, UNEXPECTED_ANSWER } from './Loadable';
import { ControlPlaneError } from '../../api/controlPlane';

const state = <T,>(s: { data?: T; error?: ControlPlaneError; loading?: boolean }) => ({
  loading: false,
  reload: jest.fn(),
  ...s,
});

describe('Loadable', () => {
  test('loading, error with details, empty, content', () => {
    const { rerender } = render(
      <Loadable state={state({ loading: true })} what="quotas">
        {() => 'x'}
      </Loadable>
    );
    expect(screen.getByText('Loading quotas…')).toBeInTheDocument();
    rerender(
      <Loadable
        state={state({
          error: new ControlPlaneError(400, 'invalid_request', 'bad', [{ path: 'from', message: 'must be a date' }]),
        })}
        what="quotas"
      >
        {() => 'x'}
      </Loadable>
    );
    expect(screen.getByText('bad')).toBeInTheDocument();
    expect(screen.getByText('from')).toBeInTheDocument();
    expect(screen.getByText('must be a date')).toBeInTheDocument();
    rerender(
      <Loadable state={state({ data: [] as number[] })} what="quotas" isEmpty={(d) => d.length === 0}>
        {() => 'x'}
      </Loadable>
    );
    expect(screen.getByText('No quotas yet')).toBeInTheDocument();
    rerender(
      <Loadable state={state({ data: [1] })} what="quotas" isEmpty={(d) => d.length === 0}>
        {(d) => `rows: ${d.length}`}
      </Loadable>
    );
    expect(screen.getByText('rows: 1')).toBeInTheDocument();
  });

  test('an answer the page cannot render becomes an error, not a blank page', () => {
    jest.spyOn(console, 'error').mockImplementation(() => {});
    const Broken = ({ d }: { d: { month_end?: { expected_usd: string } } }) => <span>{d.month_end!.expected_usd}</span>;
    render(
      <Loadable state={state({ data: {} })} what="the forecast">
        {(d) => <Broken d={d} />}
      </Loadable>
    );
    expect(screen.getByText(UNEXPECTED_ANSWER)).toBeInTheDocument();
  });
});
