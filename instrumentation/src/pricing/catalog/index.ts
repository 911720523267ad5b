/** The bundled catalog: public list prices of OpenAI, Anthropic, Google and Mistral, each with its source and date. */
import { anthropicPrices } from './anthropic.js';
import { googlePrices } from './google.js';
import { mistralPrices } from './mistral.js';
import { openaiPrices } from './openai.js';
import type { PriceEntry } from '../types.js';

/** Every bundled entry (`source: 'bundled'`). */
export const bundledPrices: readonly PriceEntry[] = Object.freeze([...openaiPrices, ...anthropicPrices, ...googlePrices, ...mistralPrices]);
