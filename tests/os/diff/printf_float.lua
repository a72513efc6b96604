-- Differential test (tests/host/test_diff.py): what Keel's C library
-- (picolibc) was found to print differently from the host's (glibc)
-- when Lua formats floats -- kept apart from arith.lua so that this test
-- names the difference. The C standard asks (7.21.6.1, recommended
-- practice) that %e, %f and %g be correctly rounded up to DECIMAL_DIG
-- (17) significant digits; glibc prints the exact decimal value of the
-- double at any precision. Found on Keel: digits past the 17th are
-- zeros, %.17g gives the shortest digits that read back instead of 17
-- correctly rounded ones, subnormals lose their digits (also in
-- tostring: Lua's "%.14g"), and %.0f rounds 0.5 and -0.5 away from zero.

print("-- %.17g: correctly rounded, the usual way to write a double exactly")
for _, x in ipairs({ 0.1, 1 / 3, 2 / 3, 1e-7, 1e23, 9.995, 1.005, 6.02214076e23, 0.1 + 0.2 }) do
  print(string.format("%.17g", x))
end

print("-- more than 17 significant digits")
print(string.format("%.20g", 0.1))
print(string.format("%.30f", 1 / 3))
print(string.format("%.99f", 0.1))
print(string.format("%.0f", 2 ^ 70))
print(string.format("%.0f", 1e23))
print(string.format("%.0f", 2 ^ 60))
print(string.format("%.0f", 1.7976931348623157e308))
print(string.format("%.40e", 0.1))
print(string.format("%99.40g", math.pi))

print("-- halfway cases")
for _, x in ipairs({ 0.5, -0.5, 1.5, 2.5, 3.5, 0.25, 0.75, 4503599627370497.5 }) do
  print(x, string.format("%.0f %.1f %#.0f %.0e", x, x, x, x))
end

print("-- subnormals")
for _, x in ipairs({ 5e-324, 1e-320, 2 ^ -1060, 2.2250738585072009e-308 }) do
  print(tostring(x), string.format("%.14g %g %.3e %.20e", x, x, x, x))
end
