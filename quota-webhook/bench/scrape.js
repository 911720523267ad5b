import { get } from 'node:http';

/**
 * GET `url` as a scraper would, with a plain HTTP client that only counts the body's bytes (the scraper's own parsing is not the service's time).
 * A new connection per request: reusing a kept-alive one races the server closing it when idle (ECONNRESET on a loaded machine).
 */
export function scrapeBytes(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}
