import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PriceFormModal } from './PriceFormModal';
import { RepriceForm } from './RepriceForm';
import { priceForm } from './priceForm';
import * as resources from '../../api/resources';
import { ControlPlaneError } from '../../api/controlPlane';

jest.mock('../../api/resources', () => ({
  ...jest.requireActual('../../api/resources'),
  createPrice: jest.fn(),
  replacePrice: jest.fn(),
  reprice: jest.fn(),
}));

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('PriceFormModal', () => {
  beforeEach(() => jest.clearAllMocks());

  test('creates an org override with exact rates', async () => {
    jest.mocked(resources.createPrice).mockResolvedValue({} as resources.PriceEntry);
    const onSaved = jest.fn();
    render(
      <PriceFormModal
        initial={priceForm(undefined, '2026-12-01')}
        editing={false}
        onSaved={onSaved}
        onDismiss={jest.fn()}
      />
    );
    type('Provider', 'openai');
    type('Model', 'gpt-4o');
    type('Organisation', 'acme');
    type('Rate input', '2.2');
    type('Rate output', '8.8');
    fireEvent.click(screen.getByText('Save'));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(resources.createPrice).toHaveBeenCalledWith({
      provider: 'openai',
      model_pattern: 'gpt-4o',
      match: 'exact',
      effective_from: '2026-12-01',
      org: 'acme',
      prices: { input: '2.2', output: '8.8' },
    });
  });

  test('shows field errors first, then the API refusal', async () => {
    jest
      .mocked(resources.replacePrice)
      .mockRejectedValue(
        new ControlPlaneError(
          400,
          'invalid_request',
          'invalid price entry: prices.input: at most 6 fractional digits',
          [{ path: 'prices.input', message: 'at most 6 fractional digits' }]
        )
      );
    render(
      <PriceFormModal
        initial={{ ...priceForm(undefined, '2026-12-01'), id: 'p1' }}
        editing
        onSaved={jest.fn()}
        onDismiss={jest.fn()}
      />
    );
    fireEvent.click(screen.getByText('Save'));
    expect(screen.getAllByText('Required: USD per million tokens')).toHaveLength(2);
    expect(resources.replacePrice).not.toHaveBeenCalled();
    type('Provider', 'openai');
    type('Model', 'gpt-4o');
    type('Rate input', '1');
    type('Rate output', '2');
    fireEvent.click(screen.getByText('Save'));
    expect(
      await screen.findByText('invalid price entry: prices.input: at most 6 fractional digits')
    ).toBeInTheDocument();
    expect(resources.replacePrice).toHaveBeenCalledWith('p1', expect.objectContaining({ id: 'p1' }));
  });
});

describe('RepriceForm', () => {
  beforeEach(() => jest.clearAllMocks());

  test('needs a reason, then shows what changed', async () => {
    jest.mocked(resources.reprice).mockResolvedValue({ records: 120, changed: 40, cost_delta_usd: '-1.2345675' });
    render(<RepriceForm />);
    type('Re-price from', '2026-01-01');
    type('Re-price to', '2026-02-01');
    fireEvent.click(screen.getByText('Re-price'));
    expect(screen.getByText('Say why: re-pricing is audited')).toBeInTheDocument();
    expect(resources.reprice).not.toHaveBeenCalled();
    type('Re-price reason', 'negotiated discount');
    fireEvent.click(screen.getByText('Re-price'));
    expect(await screen.findByText(/120 records checked, 40 changed, cost change -\$1\.234568/)).toBeInTheDocument();
    expect(resources.reprice).toHaveBeenCalledWith({
      from: '2026-01-01',
      to: '2026-02-01',
      reason: 'negotiated discount',
    });
  });
});
