import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstrumentationBase, isWrapped as otelIsWrapped } from '@opentelemetry/instrumentation';
import { afterAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../../src/instrumentations/openai/instrumentation.js';
import { patchSdkModule } from '../../src/instrumentations/patch-sdk.js';
import { isWrapped, unwrapMethod, wrapMethod } from '../../src/instrumentations/prototype-patch.js';
import { isSupportedVersion } from '../../src/instrumentations/supported-version.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A package directory holding only a package.json of `version`. */
function packageAt(version: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-sdk-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(version === undefined ? { name: 'openai' } : { name: 'openai', version }));
  return dir;
}

/** An `openai` module's shape: `OpenAI.Chat.Completions.prototype.create`. */
function fakeOpenAI(): { OpenAI: { Chat: { Completions: { prototype: { create: () => string } } } } } {
  class Completions {
    create(): string {
      return 'original';
    }
  }
  return { OpenAI: { Chat: { Completions } } } as never;
}

describe('isSupportedVersion', () => {
  it('judges ">=A.B.C <N" ranges as semver does without prereleases', () => {
    const openai = ['>=4.19.0 <8'];
    for (const v of ['4.19.0', '4.104.0', '5.0.0', '7.99.3', 'v6.1.0', '6.0.0+build.5']) expect(isSupportedVersion(v, openai), v).toBe(true);
    for (const v of ['4.18.9', '3.3.0', '8.0.0', '7.0.0-beta.1', '4.19', 'latest', '']) expect(isSupportedVersion(v, openai), v).toBe(false);
    expect(isSupportedVersion(undefined, openai)).toBe(false);
    expect(isSupportedVersion('0.20.0', ['>=0.20.0 <2'])).toBe(true);
    expect(isSupportedVersion('0.19.9', ['>=0.20.0 <2'])).toBe(false);
    expect(() => isSupportedVersion('1.0.0', ['^1.0.0'])).toThrow(/write it ">=A.B.C <N"/);
  });
});

describe('patchSdkModule (the register hook)', () => {
  it('patches a supported version, leaves an unsupported or unknown one as it is', () => {
    const supported = fakeOpenAI();
    patchSdkModule('openai', supported, packageAt('4.19.0'), { openaiIncludeStreamUsage: true });
    expect(isWrapped(supported.OpenAI.Chat.Completions.prototype.create)).toBe(true);
    for (const dir of [packageAt('4.18.0'), packageAt(undefined), undefined]) {
      const old = fakeOpenAI();
      patchSdkModule('openai', old, dir, { openaiIncludeStreamUsage: true });
      expect(isWrapped(old.OpenAI.Chat.Completions.prototype.create)).toBe(false);
    }
  });

  it('marks wrappers as shimmer does: neither it nor an OpenTelemetry instrumentation patches a method twice', () => {
    const byHook = fakeOpenAI();
    patchSdkModule('openai', byHook, packageAt('6.0.0'), { openaiIncludeStreamUsage: true });
    const wrapped = byHook.OpenAI.Chat.Completions.prototype.create;
    expect(otelIsWrapped(wrapped)).toBe(true);
    const instrumentation = new OpenAIInstrumentation({ enabled: false });
    expect(instrumentation).toBeInstanceOf(InstrumentationBase);
    instrumentation.patchModuleExports(byHook as never);
    expect(byHook.OpenAI.Chat.Completions.prototype.create).toBe(wrapped);

    const byOtel = fakeOpenAI();
    instrumentation.patchModuleExports(byOtel as never);
    const otelWrapped = byOtel.OpenAI.Chat.Completions.prototype.create;
    expect(isWrapped(otelWrapped)).toBe(true);
    patchSdkModule('openai', byOtel, packageAt('6.0.0'), { openaiIncludeStreamUsage: true });
    expect(byOtel.OpenAI.Chat.Completions.prototype.create).toBe(otelWrapped);
  });

  it('wrapMethod and unwrapMethod put the original back, keeping the property enumerable only if it was', () => {
    const target = { m: (): number => 1 };
    wrapMethod(target as never, 'm', (original) => function (this: unknown) { return (original.call(this) as number) + 1; });
    expect(target.m()).toBe(2);
    expect(Object.keys(target)).toEqual(['m']);
    unwrapMethod(target as never, 'm');
    expect(target.m()).toBe(1);
    expect(isWrapped(target.m)).toBe(false);
  });
});
