import React from 'react';
import { useTheme2 } from '@grafana/ui';
import type { Forecast } from '../../api/analytics';
import { testIds } from '../testIds';
import { forecastGeometry } from './forecastChart';

/** Month-to-date spend (solid), the expected rest of the month (dashed) with 80 % and 95 % bands, and budget lines. */
export function ForecastChart({ forecast }: { forecast: Forecast }) {
  const theme = useTheme2();
  const g = forecastGeometry(forecast);
  const accent = theme.visualization.getColorByName('blue');
  const text = theme.colors.text.secondary;
  return (
    <>
      <svg
        viewBox={`0 0 ${g.width} ${g.height}`}
        width="100%"
        role="img"
        aria-label="Spend forecast"
        data-testid={testIds.forecast.chart}
      >
        {g.yTicks.map((t) => (
          <g key={t.y}>
            <line x1={64} x2={g.width - 16} y1={t.y} y2={t.y} stroke={theme.colors.border.weak} />
            <text x={58} y={t.y + 4} textAnchor="end" fontSize={11} fill={text}>
              {t.label}
            </text>
          </g>
        ))}
        {g.xTicks.map((t) => (
          <text key={t.x} x={t.x} y={g.height - 8} textAnchor="middle" fontSize={11} fill={text}>
            {t.label}
          </text>
        ))}
        <path d={g.band95} fill={accent} fillOpacity={0.12} />
        <path d={g.band80} fill={accent} fillOpacity={0.25} />
        <path d={g.expected} fill="none" stroke={accent} strokeWidth={2} strokeDasharray="6 4" />
        <path d={g.history} fill="none" stroke={theme.colors.text.primary} strokeWidth={2} />
        {g.limits.map((l) => (
          <g key={l.label}>
            <line x1={64} x2={g.width - 16} y1={l.y} y2={l.y} stroke={theme.colors.error.main} strokeDasharray="2 3" />
            <text x={g.width - 18} y={l.y - 4} textAnchor="end" fontSize={11} fill={theme.colors.error.text}>
              {l.label}
            </text>
          </g>
        ))}
      </svg>
      <div style={{ color: text, fontSize: theme.typography.bodySmall.fontSize }}>
        Solid: spend so far this month · dashed: expected · shaded: 80 % and 95 % intervals · dotted red: budget and
        quota limits
      </div>
    </>
  );
}
