import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

/** One figure with its label and an optional second line (interval, period). */
export function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  const s = useStyles2(getStyles);
  return (
    <div className={s.card} data-testid={testId}>
      <div className={s.label}>{label}</div>
      <div className={s.value}>{value}</div>
      {hint && <div className={s.hint}>{hint}</div>}
    </div>
  );
}

export function StatRow({ children }: { children: React.ReactNode }) {
  const s = useStyles2(getStyles);
  return <div className={s.row}>{children}</div>;
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(2), marginBottom: theme.spacing(3) }),
  card: css({
    flex: '1 1 180px',
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ fontSize: theme.typography.h2.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
