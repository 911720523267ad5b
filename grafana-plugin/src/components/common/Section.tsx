import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

/** A titled block of a page. */
export function Section({
  title,
  actions,
  children,
  testId,
}: {
  title: string;
  actions?: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
}) {
  const s = useStyles2(getStyles);
  return (
    <section className={s.section} data-testid={testId}>
      <div className={s.header}>
        <h3 className={s.title}>{title}</h3>
        {actions && <div className={s.actions}>{actions}</div>}
      </div>
      {children}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginBottom: theme.spacing(4) }),
  header: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  }),
  title: css({ margin: 0 }),
  actions: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', flexWrap: 'wrap' }),
});
