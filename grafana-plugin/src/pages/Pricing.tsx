import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Button, ConfirmModal, Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import { deletePrice, listPrices, type PriceEntry } from '../api/resources';
import { ApiErrorAlert } from '../components/common/ApiErrorAlert';
import { DataTable, type ColumnDef } from '../components/common/DataTable';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { canWrite } from '../components/common/settings';
import { PriceFormModal } from '../components/pricing/PriceFormModal';
import { RepriceForm } from '../components/pricing/RepriceForm';
import { priceForm, type PriceFormValues } from '../components/pricing/priceForm';
import { testIds } from '../components/testIds';
import { useApi } from '../utils/useApi';
import { useConfirmedDelete } from '../utils/useConfirmedDelete';
import { filterPrices, type Show } from '../components/pricing/filterPrices';

const rate = (v?: string) => (v === undefined ? '—' : `$${v}`);

function Pricing() {
  const writable = canWrite();
  // Default: the entries in effect today (the whole history is one clear-field away).
  const [at, setAt] = useState(() => new Date().toISOString().slice(0, 10));
  const [text, setText] = useState('');
  const [show, setShow] = useState<Show>('all');
  const prices = useApi(() => listPrices(/^\d{4}-\d{2}-\d{2}$/.test(at) ? at : undefined), [at]);
  const [editing, setEditing] = useState<{ values: PriceFormValues; existing: boolean }>();
  const deletion = useConfirmedDelete(
    (id: string) => deletePrice(id),
    () => prices.reload()
  );

  const columns: Array<ColumnDef<PriceEntry>> = [
    { id: 'provider', header: 'Provider', render: (p) => p.provider },
    {
      id: 'model',
      header: 'Model',
      render: (p) => (p.match === 'regex' ? <code>{p.model_pattern}</code> : p.model_pattern),
    },
    {
      id: 'source',
      header: 'Source',
      render: (p) => (p.source === 'admin' ? (p.org ? `override (org ${p.org})` : 'admin') : 'bundled'),
    },
    {
      id: 'from',
      header: 'Effective',
      render: (p) => `${p.effective_from.slice(0, 10)} → ${p.effective_to?.slice(0, 10) ?? 'open'}`,
    },
    { id: 'input', header: 'Input $/M', numeric: true, render: (p) => rate(p.prices.input) },
    { id: 'output', header: 'Output $/M', numeric: true, render: (p) => rate(p.prices.output) },
    { id: 'cache_read', header: 'Cache read $/M', numeric: true, render: (p) => rate(p.prices.cache_read) },
    { id: 'cache_write', header: 'Cache write $/M', numeric: true, render: (p) => rate(p.prices.cache_write) },
    {
      id: 'actions',
      header: '',
      render: (p) =>
        writable ? (
          <Stack gap={1}>
            <Button
              size="sm"
              variant="secondary"
              icon={p.source === 'admin' ? 'pen' : 'copy'}
              aria-label={p.source === 'admin' ? `Edit ${p.id}` : `Override ${p.id}`}
              tooltip={p.source === 'admin' ? 'Edit' : 'New entry from this one (an override)'}
              onClick={() => setEditing({ values: priceForm(p), existing: p.source === 'admin' })}
            />
            {p.source === 'admin' && (
              <Button
                size="sm"
                variant="destructive"
                icon="trash-alt"
                aria-label={`Delete ${p.id}`}
                onClick={() => deletion.ask(p.id)}
              />
            )}
          </Stack>
        ) : null,
    },
  ];

  return (
    <PluginPage>
      <div data-testid={testIds.pricing.container}>
        {deletion.error && <ApiErrorAlert error={deletion.error} title="Delete refused" />}
        <Section
          title="Price catalog"
          actions={
            writable && (
              <Button icon="plus" onClick={() => setEditing({ values: priceForm(), existing: false })}>
                New price entry
              </Button>
            )
          }
        >
          <Stack gap={2} alignItems="flex-end" wrap="wrap">
            <Field label="Search">
              <Input
                aria-label="Search prices"
                placeholder="provider or model"
                width={30}
                value={text}
                onChange={(e) => setText(e.currentTarget.value)}
              />
            </Field>
            <Field label="In effect on" description="YYYY-MM-DD; empty = every entry">
              <Input
                aria-label="In effect on"
                placeholder="YYYY-MM-DD"
                width={16}
                value={at}
                onChange={(e) => setAt(e.currentTarget.value)}
              />
            </Field>
            <Field label="Source">
              <RadioButtonGroup
                options={[
                  { label: 'All', value: 'all' as const },
                  { label: 'Overrides', value: 'admin' as const },
                  { label: 'Bundled', value: 'bundled' as const },
                ]}
                value={show}
                onChange={setShow}
              />
            </Field>
          </Stack>
          <Loadable state={prices} what="prices" isEmpty={(d) => filterPrices(d, text, show).length === 0}>
            {(list) => (
              <DataTable
                columns={columns}
                rows={filterPrices(list, text, show)}
                rowKey={(p) => p.id}
                testId={testIds.pricing.table}
              />
            )}
          </Loadable>
        </Section>
        {writable && (
          <Section title="Re-price a past period">
            <p>
              A new price applies to records from now on. To apply the current table to records already in the ledger,
              re-price their period: the totals are rebuilt and the change is audited with your reason.
            </p>
            <RepriceForm />
          </Section>
        )}
      </div>
      {editing && (
        <PriceFormModal
          initial={editing.values}
          editing={editing.existing}
          onDismiss={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            prices.reload();
          }}
        />
      )}
      {deletion.target && (
        <ConfirmModal
          isOpen
          title={`Delete price ${deletion.target}?`}
          body="Records keep their price until re-priced."
          confirmText="Delete"
          onConfirm={() => void deletion.confirm()}
          onDismiss={deletion.dismiss}
        />
      )}
    </PluginPage>
  );
}

export default Pricing;
