import { describe, expect, it } from 'vitest';
import { canonicalProvider, normaliseModel } from '../../src/pricing/index.js';

describe('normaliseModel', () => {
  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['GPT-5-mini-2025-08-07', 'gpt-5-mini'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['global.anthropic.claude-opus-4-5-20251101-v1:0', 'claude-opus-4-5'],
    ['claude-opus-4-1@20250805', 'claude-opus-4-1'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['publishers/google/models/gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['mistral-large-latest', 'mistral-large'],
    ['mistral-large-2411', 'mistral-large-2411'],
    ['gpt-4.1', 'gpt-4.1'],
  ])('%s → %s', (model, expected) => {
    expect(normaliseModel(model)).toBe(expected);
  });
});

describe('canonicalProvider', () => {
  it.each([
    ['openai', 'gpt-4o', 'openai'],
    ['azure.ai.openai', 'gpt-4o', 'openai'],
    ['az.ai.openai', 'gpt-4o', 'openai'],
    ['gcp.gemini', 'gemini-2.5-pro', 'google'],
    ['gcp.vertex_ai', 'gemini-2.5-pro', 'google'],
    ['gcp.vertex_ai', 'claude-sonnet-4-5@20250929', 'anthropic'],
    ['aws.bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['aws.bedrock', 'mistral.mistral-large-2407-v1:0', 'mistral'],
    ['aws.bedrock', 'amazon.nova-pro-v1:0', 'aws.bedrock'],
    ['mistral_ai', 'mistral-small-latest', 'mistral'],
    ['Anthropic', 'claude-haiku-4-5', 'anthropic'],
  ])('%s + %s → %s', (provider, model, expected) => {
    expect(canonicalProvider(provider, model)).toBe(expected);
  });
});
