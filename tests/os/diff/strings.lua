-- Differential test (tests/host/test_diff.py): strings, string.format,
-- patterns (find, match, gmatch, gsub), rep/byte/char, the character
-- classes over every byte (the C library's ctype in the C locale), pack
-- and utf8.

local function q(s)
  return (string.format("%q", s):gsub("\n", "n"))
end

local function show(label, ...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    parts[#parts + 1] = type(v) == "string" and q(v) or tostring(v)
  end
  print(label, table.concat(parts, " "))
end

print("-- basics")
local s = "Hello, Keel World"
show("len", #s, s:len(), #"", ("x"):rep(0))
show("sub", s:sub(1, 5), s:sub(-5), s:sub(8, -7), s:sub(0), s:sub(100), s:sub(-100, 2), s:sub(5, 2))
show("case", s:upper(), s:lower(), ("MiXeD 123 äÖ"):upper(), ("MiXeD 123 äÖ"):lower())
show("reverse", s:reverse(), (""):reverse())
show("rep", ("ab"):rep(3), ("ab"):rep(3, "-"), ("x"):rep(1, ","), ("x"):rep(-1))
show("byte", s:byte(), s:byte(-1), s:byte(1, 5), s:byte(100))
show("char", string.char(72, 105, 0, 255), string.char())
show("concat", 1 .. 2, "a" .. 1.5, "x" .. -0.0, 2 ^ 63 .. "")
show("compare", "a" < "b", "a" < "B", "abc" < "abd", "" < "a", "a\0b" < "a\0c", "Z" < "a")
show("tostring", tostring(12), tostring(-1.5), tostring(true), tostring(nil))
local big = ("0123456789"):rep(1000)
show("big", #big, big:sub(9995, 10000), select(2, big:gsub("5", "")))

print("-- string.format")
show("s", string.format("[%s] [%10s] [%-10s] [%.3s] [%5.1s]", "abc", "abc", "abc", "abcdef", "xyz"))
show("s2", string.format("%s %s %s %s", 1, 1.0, true, nil))
show("q", string.format("%q", 'he said "hi"\n\ttab\0nul\r\\ \127 \200'))
show("q2", string.format("%q", "\0001"), string.format("%q", "\1\0012"))
show("pct", string.format("100%% %d%%", 5))
show("c", string.format("%c%c%c", 76, 117, 97))
show("mix", string.format("%5.2f|%-8d|%08.3f|%x|%s", 3.14159, 42, -3.5, 255, "end"))
for _, spec in ipairs({ "%", "%y", "%10.123f", "%0100d", "%#q", "%-q" }) do
  show("bad " .. spec, pcall(string.format, spec, 1))
end
show("missing arg", pcall(string.format, "%d %d", 1))
show("str arg", pcall(string.format, "%d", "12"), pcall(string.format, "%d", "x"))
show("width99", #string.format("%99d", 1), #string.format("%-99s|", "a"))

print("-- find")
show("plain", s:find("Keel"), s:find("keel"), s:find("o", 6), s:find("o", -3), s:find(""))
show("plain2", s:find(".", 1, true), ("a.b"):find(".", 1, true), ("a+b"):find("+", 1, true))
show("init", s:find("l", 100), s:find("", 100), s:find("", #s + 1), s:find("H", -100))
show("pattern", s:find("%u%l+"), s:find("(%u)(%l+)", 2), s:find("W(or)(l)d"))
show("pos capture", ("hello"):find("()ll()"))
show("anchor", ("aaa"):find("^a"), ("baaa"):find("^a"), ("aaa"):find("a$"), ("a^b"):find("a^b"))
show("match", ("key = value"):match("(%w+)%s*=%s*(%w+)"), ("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
show("match2", ("  trim me  "):match("^%s*(.-)%s*$"), ("[[x]]"):match("%[%[(.*)%]%]"))
show("match3", ("abc"):match(".-"), ("abc"):match(".*"), ("abc"):match("a*"), ("abc"):match("x*"))
show("quant", ("aaab"):match("a-b"), ("aaab"):match("a+"), ("b"):match("a?b"), ("ab"):match("a?b"))
show("sets", ("x1y2z3"):match("[%d]+"), ("hello world"):match("[^%s]+$"), ("a-b"):match("[a%-]+"))
show("ranges", ("Az09_"):match("[A-Z]"), ("Az09_"):match("[0-9]+"), ("]"):match("[]]"), ("^"):match("[%^]"))
show("balance", ("f(a(b)c)d"):match("%b()"), ("if [x[y]] then"):match("%b[]"), ("((x"):match("%b()"))
show("frontier", ("THE (quick) fox"):find("%f[%a]%a+%f[%A]"), ("hello world"):gsub("%f[%w]%w+", "<%0>"))
show("backref", ('say "hi" and \'yo\''):match("([\"'])(.-)%1"), ("abcabc"):match("(abc)%1"))
show("no match", ("abc"):match("d"), ("abc"):find("b", 3))
for _, p in ipairs({ "(", "%", "[a", "(()", "%b", "%f", "a)", "%1" }) do
  show("bad pattern " .. p, pcall(string.find, "abc", p))
end

print("-- gmatch")
local words = {}
for w in ("the quick  brown\tfox, jumps!"):gmatch("%a+") do words[#words + 1] = w end
show("words", table.concat(words, "|"))
local pairs_ = {}
for k, v in ("a=1, b=22, c=333"):gmatch("(%w+)=(%w+)") do pairs_[#pairs_ + 1] = k .. ":" .. v end
show("pairs", table.concat(pairs_, " "))
local empties = {}
for e in ("abc"):gmatch("x*") do empties[#empties + 1] = "[" .. e .. "]" end
show("empty matches", table.concat(empties))
local positions = {}
for p in ("banana"):gmatch("()an") do positions[#positions + 1] = p end
show("positions", table.concat(positions, ","))
local csv = {}
for field in ("one,,three,four"):gmatch("([^,]*)") do csv[#csv + 1] = "<" .. field .. ">" end
show("csv", table.concat(csv))
local anchored = {}
for w in ("aaa"):gmatch("^a") do anchored[#anchored + 1] = w end
show("gmatch ^", #anchored)
local init = {}
for w in ("one two three"):gmatch("%a+", 5) do init[#init + 1] = w end
show("gmatch init", table.concat(init, ","))

print("-- gsub")
show("simple", ("hello world"):gsub("o", "0"))
show("limit", ("hello world"):gsub("o", "0", 1), ("abc"):gsub("", "-"))
show("captures", ("hello world"):gsub("(%w+) (%w+)", "%2 %1"), ("abc"):gsub("%w", "%0%0"))
show("escape", ("100%"):gsub("%%", "%%%%"), ("x"):gsub("x", "%%"))
show("table", ("$name is $age"):gsub("%$(%w+)", { name = "Lua", age = 31 }))
show("table miss", ("$a $b"):gsub("%$(%w+)", { a = false }))
show("func", ("1 2 3"):gsub("%d", function(d) return d * 2 end))
show("func nil", ("a b c"):gsub("%a", function(c) if c == "b" then return "B" end end))
show("pos", ("abc"):gsub("()", "%1"))
show("anchored", ("aaa"):gsub("^a", "b"), ("hello"):gsub("l*", "x"))
show("bad repl", pcall(string.gsub, "abc", "(a)", "%2"), pcall(string.gsub, "abc", "a", "%x"))
show("bad value", pcall(string.gsub, "abc", "a", function() return {} end))
show("trim", (("  \t padded  \n"):gsub("^%s+", ""):gsub("%s+$", "")))
show("url", ("a b&c=d/é"):gsub("[^%w]", function(c) return string.format("%%%02X", c:byte()) end))

print("-- character classes over bytes 0..255")
for _, class in ipairs({ "a", "c", "d", "g", "l", "p", "s", "u", "w", "x" }) do
  local hits = {}
  for b = 0, 255 do
    if string.char(b):find("%" .. class) then hits[#hits + 1] = b end
  end
  print("%" .. class, #hits, table.concat(hits, ","))
end
local up, low = {}, {}
for b = 0, 255 do
  local c = string.char(b)
  if c:upper() ~= c then up[#up + 1] = b end
  if c:lower() ~= c then low[#low + 1] = b end
end
print("upper changes", #up, table.concat(up, ","))
print("lower changes", #low, table.concat(low, ","))
local all = {}
for b = 0, 255 do all[#all + 1] = string.char(b) end
local allbytes = table.concat(all)
show("all bytes", #allbytes, allbytes:byte(256), select(2, allbytes:gsub("%z", "")))
print("q all", string.format("%q", allbytes))

print("-- pack")
show("pack i", string.pack("<i4", -2):byte(1, -1))
show("pack >I2", string.pack(">I2", 258):byte(1, -1))
show("pack z", string.pack("z", "ab"):byte(1, -1))
show("pack s1", string.pack("s1", "xyz"):byte(1, -1))
show("pack d", string.unpack("<d", string.pack("<d", 1.5)), string.packsize("<i4 i8 d"))
show("unpack", string.unpack("<i2 i2", "\1\0\255\255"))
show("unpack n", string.unpack("<j", string.pack("<j", math.mininteger)))
show("pack err", pcall(string.pack, "i17", 1), pcall(string.pack, "i1", 200))

print("-- utf8")
local u = "héllo wörld ✓ 𝄞"
show("len", #u, utf8.len(u), utf8.len(u, 3), utf8.len("\xff"), utf8.len(u, 2, 2))
show("char", utf8.char(72, 233, 10003, 119070, 0x7FFFFFFF):byte(1, -1))
show("charpattern", utf8.charpattern)
local cps = {}
for p, c in utf8.codes(u) do cps[#cps + 1] = p .. ":" .. c end
show("codes", table.concat(cps, " "))
show("codepoint", utf8.codepoint(u, 1, 3))
show("offset", utf8.offset(u, 3), utf8.offset(u, -1), utf8.offset(u, 0, 3), utf8.offset(u, 20))
local chars = {}
for ch in u:gmatch(utf8.charpattern) do chars[#chars + 1] = ch end
show("by pattern", #chars, chars[2], chars[#chars])
show("bad", pcall(utf8.codepoint, "\xff"), pcall(utf8.char, -1))
show("codes bad", pcall(function() for _ in utf8.codes("ab\xffcd") do end end))
show("lax", utf8.len("\xF4\x90\x80\x80"), utf8.len("\xF4\x90\x80\x80", 1, -1, true))
