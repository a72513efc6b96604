-- Differential test (tests/host/test_diff.py): integers, floats and the
-- math library, printed the same way on Keel and on the host. Floats go
-- through tostring (LUAI_NUMFFORMAT, "%.14g") and string.format with
-- explicit formats: the C library's printf and strtod are what differ.
-- No NaN is printed (its sign is the machine's, not the library's).
-- What picolibc and glibc were found to print or read differently --
-- more than 17 significant digits, halfway cases, subnormals, %.17g,
-- some hexadecimal numerals -- is in printf_float.lua and strtod.lua;
-- here is the range on which they agree.

local function show(label, ...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    parts[#parts + 1] = tostring(v) .. ":" .. (math.type(v) or type(v))
  end
  print(label, table.concat(parts, " "))
end

print("-- integers")
show("add", 7 + 5, -7 + 5, 7 - 12)
show("mul", 12345 * 6789, -3 * 4, 0 * -1)
show("max", math.maxinteger, math.mininteger)
show("wrap+", math.maxinteger + 1 == math.mininteger, math.maxinteger + 1)
show("wrap-", math.mininteger - 1 == math.maxinteger, math.mininteger - 1)
show("wrap*", math.maxinteger * 2, math.mininteger * -1)
show("neg", -math.mininteger, math.abs(math.mininteger))
show("idiv", 7 // 2, -7 // 2, 7 // -2, -7 // -2, 0 // 5)
show("mod", 7 % 3, -7 % 3, 7 % -3, -7 % -3, 6 % -3)
show("minint", math.mininteger // -1, math.mininteger % -1)
show("pow", 2 ^ 10, 2 ^ 0.5 == math.sqrt(2), 10 ^ -2)
show("div", 7 / 2, 4 / 2, -1 / 3, 1 / 7)
for _, d in ipairs({ 0, 0.0 }) do
  local ok, e = pcall(function() return 7 // d end)
  show("7//" .. tostring(d), ok, e)
  ok, e = pcall(function() return 7 % d end)
  if ok then
    show("7%" .. tostring(d), ok, e ~= e and "nan" or e)
  else
    show("7%" .. tostring(d), ok, e)
  end
end
show("fdiv0", 1 / 0, -1 / 0, 0 / 0 ~= 0 / 0)

print("-- bitwise")
show("and/or/xor", 0xF0 & 0x3C, 0xF0 | 0x0F, 0xFF ~ 0x0F, ~0)
show("shifts", 1 << 62, 1 << 63, 1 << 64, -1 >> 1, -1 >> 63, 1 >> -1)
show("floats", 2.0 << 1, 6.0 & 3, "3" + 0 | 0)
for _, s in ipairs({ "2.5 << 1", "1 | 'x'", "1 & 2^63", "'3' | 0" }) do
  local ok, e = pcall(load("return " .. s))
  show(s, ok, e)
end

print("-- floats and integers")
show("conv", 3 | 0, 3.0 // 1, math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"))
show("2^53", 2 ^ 53, 2 ^ 53 + 1, math.tointeger(2 ^ 53))
show("2^63", 2 ^ 63, math.tointeger(2 ^ 63), 2 ^ 63 == math.maxinteger + 1.0)
show("cmp", math.maxinteger < 2 ^ 63, math.maxinteger + 0.0 == 2 ^ 63, 1 == 1.0, -0.0 == 0)
show("cmp2", math.mininteger <= -2 ^ 63, math.maxinteger >= 2 ^ 63, 2 ^ 53 < 2 ^ 53 + 1)
show("ult", math.ult(1, -1), math.ult(-1, 1), math.ult(0, 0))
show("zero", 0.0, -0.0, 1 / -0.0, 0.0 == -0.0)
show("floor", math.floor(3.7), math.floor(-3.7), math.ceil(3.2), math.ceil(-3.2))
show("floorbig", math.floor(1e100), math.floor(-2 ^ 63), math.ceil(2 ^ 62))
show("fmod", math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(7.5, 2), math.fmod(-6, 2))
show("fmodint", math.fmod(math.mininteger, -1), pcall(math.fmod, 1, 0))
show("modf", math.modf(3.75), math.modf(-3.75), math.modf(5), math.modf(1 / 0))
show("fmodf", -7.5 % 2, 7.5 % -2, 5.25 % 1, -0.5 % 1, 1e15 % 7)
show("abs", math.abs(-4), math.abs(-4.5), math.abs(0.0))
show("minmax", math.max(1, 2.5, -3), math.min(1, 2.5, -3), math.max(3, 3.0), math.min(-0.0, 0))
show("sqrt", math.sqrt(16), math.sqrt(2), math.sqrt(1e-300), math.sqrt(0.0))
show("huge", math.huge, -math.huge, math.huge // 1, math.pi)
show("type", math.type(1), math.type(1.0), math.type("1"), math.type(nil))

print("-- string coercions")
show("str+", "10" + 1, "10.0" + 1, "0x10" + 0, "1e2" * 1, " 5 " * 2)
show("tonumber", tonumber("  12  "), tonumber("12a"), tonumber(""), tonumber("0x1g"))
show("tonumber2", tonumber(".5"), tonumber("5."), tonumber("-.5e1"), tonumber("0x1.8p1"))
show("tonumber3", tonumber("inf"), tonumber("nan"), tonumber("1e400"), tonumber("-1e400"))
show("tonumber4", tonumber("0x1p4"), tonumber("0x1P-2"), tonumber("0xA.8p1"), tonumber("2.5e-300"))
show("tonumber5", tonumber("9223372036854775807"), tonumber("9223372036854775808"),
  tonumber("-9223372036854775808"), tonumber("0xffffffffffffffff"), tonumber("0x1ffffffffffffffff"))
show("base", tonumber("z", 36), tonumber("7fffffffffffffff", 16), tonumber("777", 8),
  tonumber("102", 2), tonumber("-ff", 16), tonumber("  11  ", 2))
show("tostring", tostring(1e15), tostring(1e16), tostring(123456789012345678))
show("tostring2", 0.1, 1 / 3, -2 / 3, 100 * 1.1, 2 ^ 63, 1e300 * 10)
show("tostring3", 1e-5, 123e-7, 2.2250738585072014e-308, 1.7976931348623157e308, 2 ^ -1022)
show("tostring4", 3.0, -3.0, 1e100, 12345678901234.5, 0.1 + 0.2)

print("-- string.format of floats")
local values = { 0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1 / 3, 2 / 3, 1e-7, 123456.789,
  1e21, 1e22, 2 ^ 50, 9.995, 1.005, math.huge, -math.huge, 100, 0.1, 299792458.0, -7.25e-5 }
local wide = { 1e-300, 1e300, 2 ^ 60, 6.02214076e23, 1.7976931348623157e308, 2.2250738585072014e-308 }
for _, f in ipairs({ "%.1f", "%.2f", "%.3f", "%10.4f", "%-10.2f|", "%+.3f", "% .2f", "%#.1f", "%010.3f" }) do
  local row = {}
  for _, v in ipairs(values) do
    row[#row + 1] = string.format(f, v)
  end
  print(f, table.concat(row, " "))
end
for _, f in ipairs({ "%e", "%.3e", "%.0e", "%E", "%g", "%.3g", "%.10g", "%.15g", "%G", "%#.3g",
  "%a", "%.3a", "%A" }) do
  local row = {}
  for _, list in ipairs({ values, wide }) do
    for _, v in ipairs(list) do
      row[#row + 1] = string.format(f, v)
    end
  end
  print(f, table.concat(row, " "))
end
local row = {}
for _, v in ipairs({ 0.0, 1.5, 2.75, -3.25, 0.4, 0.6, 1e15, 123456.789, 1e22, 2 ^ 50 }) do
  row[#row + 1] = string.format("%.0f", v)
end
print("%.0f", table.concat(row, " "))
print("%.16f", string.format("%.16f %.16f %.16f", 0.1, 1 / 3, 2 / 3))
print("%.15e", string.format("%.15e %.15e", 0.1, 1e-300))
print("%30.16g", string.format("[%30.16g] [%-30.10e]", math.pi, math.exp(1)))
print("%q", string.format("%q %q %q %q", 0.1, -1.5, 1e100, 2 ^ -1074))
print("%q int", string.format("%q %q %q", 42, math.mininteger, math.maxinteger))
print("%q huge", string.format("%q %q", math.huge, -math.huge))

print("-- string.format of integers")
for _, f in ipairs({ "%d", "%5d", "%-5d|", "%05d", "%+d", "%x", "%X", "%#x", "%o", "%#o", "%i", "%.3d", "%c" }) do
  local row = {}
  for _, v in ipairs({ 0, 1, 65, -1, 255, 1000000, math.maxinteger, math.mininteger }) do
    if f ~= "%c" or (v >= 32 and v < 127) then
      row[#row + 1] = string.format(f, v)
    end
  end
  print(f, table.concat(row, " "))
end
show("%d of float", string.format("%d", 3.0), pcall(string.format, "%d", 3.5))

print("-- math library")
local function g(x) return string.format("%.12g", x) end
for _, x in ipairs({ 0, 0.5, 1, 2, math.pi / 6, math.pi / 4, math.pi, 10, -1.25 }) do
  print("trig", g(x), g(math.sin(x)), g(math.cos(x)), g(math.tan(x)))
end
for _, x in ipairs({ -1, -0.5, 0, 0.5, 1 }) do
  print("inv", g(x), g(math.asin(x)), g(math.acos(x)), g(math.atan(x)))
end
for _, p in ipairs({ { 1, 1 }, { 1, -1 }, { -1, -1 }, { 0, -1 }, { 3, 4 } }) do
  print("atan2", p[1], p[2], g(math.atan(p[1], p[2])))
end
for _, x in ipairs({ 0, 1, 2, 0.5, -1, 10, 100, 700 }) do
  print("exp", g(x), g(math.exp(x)))
end
for _, x in ipairs({ 1, 2, 10, 0.5, 1e10, 1e-10, 1024 }) do
  print("log", g(x), g(math.log(x)), g(math.log(x, 2)), g(math.log(x, 10)), g(math.log(x, 3)))
end
show("log0", math.log(0), -math.log(0))
print("-- seeded generator (Lua's own xoshiro256**)")
math.randomseed(42)
local r = {}
for _ = 1, 8 do
  r[#r + 1] = math.random(1, 1000)
end
print("random", table.concat(r, " "))
math.randomseed(7, 11)
print("random float", string.format("%.10f %.10f", math.random(), math.random()))
print("random int", math.random(0), math.random(-5, 5), math.random(3))

print("-- loops")
local sum, n = 0, 0
for i = 1, 100000 do
  sum = sum + i * i
  n = n + 1
end
print("sum squares", sum, n)
local fsum = 0.0
for i = 1, 1000 do
  fsum = fsum + 1 / i
end
print("harmonic", string.format("%.15f", fsum), fsum)
local steps = {}
for x = 1, 2, 0.25 do steps[#steps + 1] = tostring(x) end
for x = 10, 1, -3 do steps[#steps + 1] = tostring(x) end
for x = math.maxinteger - 2, math.maxinteger do steps[#steps + 1] = tostring(x - math.maxinteger) end
print("for steps", table.concat(steps, " "))
print("for err", pcall(load("for i = 1, 10, 0 do end")))
local fact = 1
for i = 1, 25 do
  fact = fact * i
end
print("25! wraps", fact, string.format("%.6e", 25.0 * 24 * 23 * 22 * 21 * 20 * 19 * 18 * 17 * 16 * 15 * 14 * 13 * 12 * 11 * 10 * 9 * 8 * 7 * 6 * 5 * 4 * 3 * 2))
