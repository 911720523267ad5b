import React, { useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, useStyles2 } from '@grafana/ui';

export interface ColumnDef<T> {
  id: string;
  header: string;
  render: (row: T) => React.ReactNode;
  /** Makes the column sortable by this comparison. */
  compare?: (a: T, b: T) => number;
  numeric?: boolean;
}

interface Props<T> {
  columns: Array<ColumnDef<T>>;
  rows: T[];
  rowKey: (row: T) => string;
  initialSort?: { id: string; desc: boolean };
  testId?: string;
  rowTestId?: (row: T) => string;
}

/** A themed table with click-to-sort headers (the sort is on exact values the caller compares). */
export function DataTable<T>({ columns, rows, rowKey, initialSort, testId, rowTestId }: Props<T>) {
  const s = useStyles2(getStyles);
  const [sort, setSort] = useState(initialSort);
  const col = columns.find((c) => c.id === sort?.id);
  const sorted = col?.compare ? [...rows].sort((a, b) => (sort!.desc ? -1 : 1) * col.compare!(a, b)) : rows;
  return (
    <table className={s.table} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th
              key={c.id}
              className={cx(c.numeric && s.numeric, c.compare && s.sortable)}
              aria-sort={sort?.id === c.id ? (sort.desc ? 'descending' : 'ascending') : undefined}
              onClick={c.compare ? () => setSort({ id: c.id, desc: sort?.id === c.id ? !sort.desc : true }) : undefined}
            >
              {c.header}
              {sort?.id === c.id && <Icon name={sort.desc ? 'arrow-down' : 'arrow-up'} size="sm" />}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={rowKey(r)} data-testid={rowTestId?.(r)}>
            {columns.map((c) => (
              <td key={c.id} className={cx(c.numeric && s.numeric)}>
                {c.render(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'top',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium, whiteSpace: 'nowrap' },
    'tbody tr:hover': { background: theme.colors.action.hover },
  }),
  numeric: css({ textAlign: 'right !important' as 'right', fontVariantNumeric: 'tabular-nums' }),
  sortable: css({ cursor: 'pointer', userSelect: 'none' }),
});
