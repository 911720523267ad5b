import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { EmptyState } from '@grafana/ui';
import { listProviders } from '../api/resources';
import { byOrg } from '../components/providers/byOrg';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { canWrite } from '../components/common/settings';
import { ProviderRow } from '../components/providers/ProviderRow';
import { testIds } from '../components/testIds';
import { useApi } from '../utils/useApi';

function Providers() {
  const writable = canWrite();
  const state = useApi(listProviders, []);
  return (
    <PluginPage>
      <div data-testid={testIds.providers.container}>
        <Loadable
          state={state}
          what="providers"
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState
              variant="call-to-action"
              hideImage
              message="No provider settings yet: every provider is enabled with no limits. Add one below to set its priority and limits."
            />
          }
        >
          {(providers) => (
            <div data-testid={testIds.providers.table}>
              {byOrg(providers).map(([org, list]) => (
                <Section key={org} title={org === '*' ? 'Every organisation (default)' : `Organisation ${org}`}>
                  {list.map((p) => (
                    <ProviderRow
                      key={`${p.org}/${p.provider}/${p.priority}/${p.enabled}`}
                      state={p}
                      writable={writable}
                      onChanged={state.reload}
                    />
                  ))}
                </Section>
              ))}
            </div>
          )}
        </Loadable>
        {writable && (
          <Section title="Add a provider setting">
            <ProviderRow writable onChanged={state.reload} />
          </Section>
        )}
      </div>
    </PluginPage>
  );
}

export default Providers;
