import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { formatPercent } from '../../utils/money';

/** Utilisation as a bar coloured by threshold (green < 80 %, orange < 100 %, red). */
export function UtilizationBar({ ratio, testId }: { ratio: number; testId?: string }) {
  const s = useStyles2(getStyles);
  const pct = Math.max(0, Math.min(1, ratio)) * 100;
  const tone = ratio >= 1 ? s.red : ratio >= 0.8 ? s.orange : s.green;
  return (
    <div className={s.wrap} data-testid={testId} title={formatPercent(ratio)}>
      <div className={s.track}>
        <div className={`${s.fill} ${tone}`} style={{ width: `${pct}%` }} />
      </div>
      <span className={s.text}>{formatPercent(ratio)}</span>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), minWidth: 160 }),
  track: css({ flex: 1, height: 8, background: theme.colors.background.canvas, borderRadius: 4, overflow: 'hidden' }),
  fill: css({ height: '100%' }),
  green: css({ background: theme.colors.success.main }),
  orange: css({ background: theme.colors.warning.main }),
  red: css({ background: theme.colors.error.main }),
  text: css({ minWidth: 64, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
});
