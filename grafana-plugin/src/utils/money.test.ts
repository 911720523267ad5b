import {
  compareUsd,
  formatCount,
  formatPercent,
  formatUsd,
  formatUsdAuto,
  usdToPico,
  usdForChart,
  wholePercents,
} from './money';

describe('money from exact decimal strings', () => {
  test('usdToPico is exact and refuses what is not a decimal', () => {
    expect(usdToPico('12.345')).toBe(BigInt('12345000000000'));
    expect(usdToPico('0.000000000001')).toBe(BigInt(1));
    expect(usdToPico('-1.5')).toBe(BigInt('-1500000000000'));
    expect(usdToPico('9007199254740993.000000000001')).toBe(BigInt('9007199254740993000000000001'));
    expect(usdToPico('1e3')).toBeUndefined();
    expect(usdToPico(null)).toBeUndefined();
    expect(usdToPico('')).toBeUndefined();
  });

  test('formatUsd rounds half up on the exact value and groups thousands', () => {
    expect(formatUsd('1234.565')).toBe('$1,234.57');
    expect(formatUsd('1234.564999999999')).toBe('$1,234.56');
    expect(formatUsd('0.005')).toBe('$0.01');
    expect(formatUsd('0.004999999999')).toBe('$0.00');
    expect(formatUsd('-2.5')).toBe('-$2.50');
    expect(formatUsd('-0.001')).toBe('$0.00');
    expect(formatUsd('9007199254740993.99')).toBe('$9,007,199,254,740,993.99');
    expect(formatUsd('0.123456789', 6)).toBe('$0.123457');
    expect(formatUsd('3', 0)).toBe('$3');
    expect(formatUsd(undefined)).toBe('—');
    expect(formatUsd('abc')).toBe('—');
  });

  test('formatUsdAuto shows sub-cent amounts with enough digits', () => {
    expect(formatUsdAuto('0.000123')).toBe('$0.000123');
    expect(formatUsdAuto('0.0123')).toBe('$0.0123');
    expect(formatUsdAuto('12.5')).toBe('$12.50');
    expect(formatUsdAuto('0')).toBe('$0.0000');
  });

  test('compareUsd orders exactly (floats would tie) and puts missing last', () => {
    // Equal as doubles, different as money.
    expect(Number('9007199254740993')).toBe(Number('9007199254740992'));
    expect(compareUsd('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareUsd('0.000000000001', '0')).toBe(1);
    expect(['10', '9.99', null, '100'].sort(compareUsd)).toEqual(['9.99', '10', '100', null]);
  });

  test('percent, count and chart helpers', () => {
    expect(formatPercent(0.675)).toBe('67.5 %');
    expect(formatPercent(undefined)).toBe('—');
    // Rounded one by one, 0.4551, 0.4402 and 0.1047 read 46 %, 44 % and 10 % (100 %); 0.455, 0.435 and 0.11 would read 101 %.
    expect(wholePercents([0.4551, 0.4402, 0.1047])).toEqual([46, 44, 10]);
    expect(wholePercents([0.455, 0.435, 0.11])).toEqual([46, 43, 11]);
    expect(wholePercents([1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
    expect(wholePercents([0, 0])).toEqual([0, 0]);
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(usdForChart('1.5')).toBe(1.5);
    expect(usdForChart('x')).toBeUndefined();
  });
});
