-- Differential test (tests/host/test_diff.py): what Keel's C library
-- (picolibc) was found to read differently from the host's (glibc)
-- when Lua converts strings to numbers (tonumber and the "n" format of
-- io.read go through lua_str2number, which is strtod), kept apart from
-- arith.lua so that this test names the difference. Lua takes a numeral
-- only if strtod consumed all of it but white space. Found on Keel: "0x",
-- "0x.", "0xp1" are taken whole as 0 (strtod must read only their "0",
-- which leaves the rest: no numeral), and a hexadecimal fraction without
-- a binary exponent is scaled by 2, not 16, a digit: "0x1.8" reads as
-- 12 (it is 1.5), "0x.8" as 4 (0.5); with "p0" after it, it is right.

local function show(s)
  local v = tonumber(s)
  -- %a: the exact value, printed the same by both C libraries
  print(string.format("%q", s), v == nil and "nil" or math.type(v) .. " " .. string.format("%a", v))
end

for _, s in ipairs({ "0x", "0X", "-0x", "0x.8", "0x.1p4", "0x.", "0x.p1", "0xp1", "0x1.", "0x1.8",
  "0x.8p0", "0X.Cp+2", "0x1p", "0x1p+", "1e", "1e+", ".e1", ".", "-.", "0x1P-1074", "0x1p-1075" }) do
  show(s)
end
