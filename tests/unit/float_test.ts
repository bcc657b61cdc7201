/**
 * formatDouble and incrByFloat against values printed by real redis-server
 * 7.0 (ZADD + ZSCORE for "%.17g", INCRBYFLOAT for the long double sum).
 */
import { assertEquals } from "@std/assert";
import { formatDouble, incrByFloat } from "../../lib/util/float.ts";

// [double, what Redis replied]. The first ones are exact ties at 17 digits,
// which C rounds to even where JavaScript rounds up.
const DOUBLES: [number, string][] = [
  [0.0010004043579101562, "0.0010004043579101562"],
  [0.0014791488647460938, "0.0014791488647460938"],
  [0.0019578933715820312, "0.0019578933715820312"],
  [0.0024366378784179688, "0.0024366378784179688"],
  [0.0029153823852539062, "0.0029153823852539062"],
  [0.0033941268920898438, "0.0033941268920898438"],
  [0.00010061264038085938, "0.00010061264038085938"],
  [0.0003399848937988281, "0.00033998489379882812"],
  [0.0005793571472167969, "0.00057935714721679688"],
  [0.0008187294006347656, "0.00081872940063476562"],
  [0.000010251998901367188, "1.0251998901367188e-05"],
  [0.0000010728836059570312, "1.0728836059570312e-06"],
  [-0.0010004043579101562, "-0.0010004043579101562"],
  [-0.0014791488647460938, "-0.0014791488647460938"],
  [-0.0019578933715820312, "-0.0019578933715820312"],
  [-0.0024366378784179688, "-0.0024366378784179688"],
  [-0.0029153823852539062, "-0.0029153823852539062"],
  [-0.0033941268920898438, "-0.0033941268920898438"],
  [-0.00010061264038085938, "-0.00010061264038085938"],
  [-0.0003399848937988281, "-0.00033998489379882812"],
  [-0.0005793571472167969, "-0.00057935714721679688"],
  [-0.0008187294006347656, "-0.00081872940063476562"],
  [-0.000010251998901367188, "-1.0251998901367188e-05"],
  [-0.0000010728836059570312, "-1.0728836059570312e-06"],
  [0.1, "0.10000000000000001"],
  [0.3333333333333333, "0.33333333333333331"],
  [0.6666666666666666, "0.66666666666666663"],
  [1e+21, "1e+21"],
  [0.00001, "1.0000000000000001e-05"],
  [0.0001, "0.0001"],
  [123456789012345680000, "1.2345678901234568e+20"],
  [5e-324, "4.9406564584124654e-324"],
  [1.7976931348623157e+308, "1.7976931348623157e+308"],
  [10000000000000000, "10000000000000000"],
  [100000000000000000, "1e+17"],
  [12345.678, "12345.678"],
  [0.00001234, "1.234e-05"],
  [1.5, "1.5"],
  [100, "100"],
  [1e+100, "1e+100"],
  [-2.5, "-2.5"],
  [3.14159, "3.1415899999999999"],
  [1152921504606847000, "1.152921504606847e+18"],
  [9007199254740994, "9007199254740994"],
  [0.30000000000000004, "0.30000000000000004"],
  [9007199254740992, "9007199254740992"],
  [1000000000000000.2, "1000000000000000.2"],
  [2 ** -25, "2.9802322387695312e-08"],
  [0, "0"],
  [Infinity, "inf"],
  [-Infinity, "-inf"],
];

Deno.test("formatDouble is C's %.17g", () => {
  for (const [d, expected] of DOUBLES) {
    assertEquals(formatDouble(d), expected, `formatDouble(${d})`);
  }
});

// [stored value, increment, INCRBYFLOAT's reply].
const SUMS: [string, string, { value: string } | { error: string }][] = [
  ["10.5", "0.1", { "value": "10.6" }],
  ["0.1", "0.2", { "value": "0.3" }],
  ["1e17", "1", { "value": "100000000000000001" }],
  ["5.0e3", "0", { "value": "5000" }],
  ["-0", "0", { "value": "0" }],
  ["0", "-0", { "value": "0" }],
  ["0", "0.000003814697265625", { "value": "0.00000381469726562" }],
  ["0", "1e-4940", { "value": "0" }],
  ["0", "1e-4952", { "error": "ERR value is not a valid float" }],
  ["0", "1e-5000", { "error": "ERR value is not a valid float" }],
  ["0", "0x1p3", { "value": "8" }],
  ["0", "0X1.8P1", { "value": "3" }],
  ["0", "0x.8", { "value": "0.5" }],
  ["0", "0x", { "error": "ERR value is not a valid float" }],
  ["0", "0x1p", { "error": "ERR value is not a valid float" }],
  ["0", "inf", { "error": "ERR increment would produce NaN or Infinity" }],
  ["0", "-infinity", { "error": "ERR increment would produce NaN or Infinity" }],
  ["0", "nan", { "error": "ERR value is not a valid float" }],
  ["0", " 1", { "error": "ERR value is not a valid float" }],
  ["0", "1 ", { "error": "ERR value is not a valid float" }],
  ["0", "+5", { "value": "5" }],
  ["0", ".", { "error": "ERR value is not a valid float" }],
  ["0", "5.", { "value": "5" }],
  ["0", ".5", { "value": "0.5" }],
  ["0", "1e", { "error": "ERR value is not a valid float" }],
  ["0", "1e+", { "error": "ERR value is not a valid float" }],
  ["0", "\u0000", { "error": "ERR value is not a valid float" }],
  ["0", "1.5\u0000abc", { "error": "ERR value is not a valid float" }],
  ["1", "-1", { "value": "0" }],
  ["0", "-0.00000000000000000001", { "value": "0" }],
  ["3", "0.00000000000000000001", { "value": "3" }],
  ["9223372036854775807", "1", { "value": "9223372036854775808" }],
  ["18446744073709551615", "1", { "value": "18446744073709551616" }],
  ["18446744073709551617", "0", { "value": "18446744073709551616" }],
  ["0.1", "0.1", { "value": "0.2" }],
  ["1.1", "2.2", { "value": "3.3" }],
  ["0", "1e-17", { "value": "0.00000000000000001" }],
  ["0", "5e-18", { "value": "0" }],
  ["0", "1.5e-17", { "value": "0.00000000000000002" }],
  ["0", "2.5e-17", { "value": "0.00000000000000002" }],
  ["0", "0x1p-16445", { "value": "0" }],
  ["0", "0x1p-16446", { "error": "ERR value is not a valid float" }],
  ["0", "0x1p16384", { "error": "ERR value is not a valid float" }],
  ["0", "1e99999999999999999999", { "error": "ERR value is not a valid float" }],
  ["0", "0e9999999999999", { "value": "0" }],
  ["0", "0.0e-999999999999", { "value": "0" }],
  ["0", "123456789.123456789123456789", { "value": "123456789.12345678912242875" }],
  ["0", "-1.23e-7", { "value": "-0.000000123" }],
  ["7", "-7", { "value": "0" }],
  ["0", "0x10", { "value": "16" }],
  ["0", "0xg", { "error": "ERR value is not a valid float" }],
  ["0", "1_0", { "error": "ERR value is not a valid float" }],
  ["0", "1e5000", { "error": "ERR value is not a valid float" }],
  ["0", "1.0e+2", { "value": "100" }],
  ["0", "00012", { "value": "12" }],
  ["0", "\t1", { "error": "ERR value is not a valid float" }],
  ["0", "INF", { "error": "ERR increment would produce NaN or Infinity" }],
  ["0", "Infinit", { "error": "ERR value is not a valid float" }],
  ["1e4932", "1e4932", { "error": "ERR increment would produce NaN or Infinity" }],
  ["1.19e4932", "0", { "error": "ERR value is not a valid float" }],
  ["0", "1e30", { "value": "1000000000000000000024696061952" }],
  ["1e20", "0.5", { "value": "100000000000000000000" }],
  ["-1e20", "-0.25", { "value": "-100000000000000000000" }],
  ["3.0000000000000001", "0", { "value": "3.0000000000000001" }],
  ["0.1", "-0.3", { "value": "-0.2" }],
  ["1e-3", "1e-3", { "value": "0.002" }],
  ["123", "0.456", { "value": "123.456" }],
  ["2", "-0.0000000001", { "value": "1.9999999999" }],
  ["0", "0x1.fffffffffffffffep0", { "value": "2" }],
  ["0", "0x1.ffffffffffffffffp0", { "value": "2" }],
  ["12", "abc", { "error": "ERR value is not a valid float" }],
  ["abc", "12", { "error": "ERR value is not a valid float" }],
  ["", "1", { "error": "ERR value is not a valid float" }],
  ["1", "", { "error": "ERR value is not a valid float" }],
];

Deno.test("incrByFloat matches Redis 7.0 INCRBYFLOAT", () => {
  for (const [current, increment, expected] of SUMS) {
    assertEquals(incrByFloat(current, increment), expected, JSON.stringify([current, increment]));
  }
});

Deno.test("incrByFloat prints huge long doubles in full", () => {
  const big = incrByFloat("0", "1.18e4932");
  if (!("value" in big)) throw new Error("expected a value");
  assertEquals(big.value.length, 4933);
  assertEquals(big.value.slice(0, 40), "1180000000000000000000652812918093699202");
  assertEquals(big.value.slice(-11), "88628785152");
  const e4000 = incrByFloat("0", "1e4000");
  if (!("value" in e4000)) throw new Error("expected a value");
  assertEquals(e4000.value.length, 4000);
  assertEquals(e4000.value.slice(0, 40), "9999999999999999999965463873099623784932");
  assertEquals(e4000.value.slice(-11), "49901340672");
});
