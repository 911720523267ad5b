/**
 * The built bundle of the OpenTelemetry SDK modules (`npm run build`:
 * `scripts/bundle-otel-sdk.js`) against the packages it was built from: the
 * same exports per module, `@opentelemetry/api` left out, the licences kept.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Api from '@opentelemetry/api';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { OTEL_SDK_BUNDLE, OTEL_SDK_MODULES } from '../../src/telemetry/otel-sdk-modules.js';

const BUNDLE = fileURLToPath(new URL(`../../dist/telemetry/${OTEL_SDK_BUNDLE}`, import.meta.url));
// Resolved from where the compiled otel-sdk.js resolves them.
const load = createRequire(new URL('../../dist/telemetry/otel-sdk.js', import.meta.url));

describe(`dist/telemetry/${OTEL_SDK_BUNDLE}`, () => {
  const bundle = load(BUNDLE) as Record<string, () => Record<string, unknown>>;

  it('has one loader per module, each returning what the package exports', () => {
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(OTEL_SDK_MODULES).sort());
    for (const [name, specifier] of Object.entries(OTEL_SDK_MODULES)) {
      const bundled = bundle[name]!();
      const original = load(specifier) as Record<string, unknown>;
      expect(Object.keys(bundled).sort(), specifier).toEqual(Object.keys(original).sort());
      expect(bundled, specifier).not.toBe(original);
      expect(bundle[name]!(), `${specifier}, loaded twice`).toBe(bundled);
    }
  });

  it('names every exported class as the package names it (no bundler suffix such as TracerProvider$1 or OTLPExporterBase2)', () => {
    const differing: string[] = [];
    let classes = 0;
    for (const [name, specifier] of Object.entries(OTEL_SDK_MODULES)) {
      const bundled = bundle[name]!();
      const original = load(specifier) as Record<string, unknown>;
      for (const [key, value] of Object.entries(original)) {
        if (typeof value !== 'function') continue;
        classes++;
        const ours = (bundled[key] as { name?: string }).name;
        if (ours !== value.name) differing.push(`${specifier} ${key}: ${ours} (package: ${value.name})`);
      }
    }
    expect(differing).toEqual([]);
    expect(classes).toBeGreaterThan(50);
  });

  it('wraps no function in a naming call that would run each time the function is made (esbuild keepNames)', () => {
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/__name\(/);
  });

  it('shares the one @opentelemetry/api: what the bundled SDK registers, the application sees', () => {
    const api = load('@opentelemetry/api') as typeof Api;
    const { MeterProvider } = bundle.sdkMetrics!() as unknown as typeof SdkMetrics;
    const provider = new MeterProvider();
    try {
      expect(api.metrics.setGlobalMeterProvider(provider)).toBe(true);
      expect(api.metrics.getMeterProvider()).toBe(provider);
    } finally {
      api.metrics.disable();
    }
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/node_modules\/@opentelemetry\/api\//);
  });

  it('names every bundled package with its licence, and ships their licence texts', () => {
    const banner = readFileSync(BUNDLE, 'utf8').split('*/')[0]!;
    for (const specifier of Object.values(OTEL_SDK_MODULES)) {
      const name = specifier.split('/').slice(0, 2).join('/');
      expect(banner).toMatch(new RegExp(`^ \\*   ${name}@\\S+ \\(Apache-2\\.0\\)$`, 'm'));
    }
    const licences = readFileSync(`${BUNDLE}.LICENSE.txt`, 'utf8');
    expect(licences).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(licences).toMatch(/^@opentelemetry\/sdk-metrics@/m);
  });
});
