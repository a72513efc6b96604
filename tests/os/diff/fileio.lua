-- Differential test (tests/host/test_diff.py): the io and os libraries
-- on files in the current directory -- open modes, write and read
-- formats, numbers, seek, lines, append, buffering, closed files, and the
-- results and messages of calls on missing files. Run with the script's
-- directory as the current one; it removes what it made. setvbuf is
-- called only on files just opened (as C's setvbuf must be): after a
-- write it is setvbuf.lua's. Reading in "a+" mode before any seek,
-- and writing or reading a file opened for the other are
-- fopen_modes.lua's.

local function show(label, ...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then
      v = string.format("%q", v):gsub("\n", "n")
    elseif io.type(v) then
      v = io.type(v)
    else
      v = tostring(v)
    end
    parts[#parts + 1] = v
  end
  print(label, table.concat(parts, " "))
end

local function slurp(name)
  local f = assert(io.open(name, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

print("-- write and read back")
local f = assert(io.open("fio_a.txt", "w"))
show("io.type", io.type(f), io.type(42), io.type(io.stdout))
show("write returns file", f:write("line one\n", "line two\n") == f)
show("write numbers", f:write(42, " ", -7, " ", 3.5, " ", 1e100, " ", 2 ^ 63, " ", 0.1, "\n") == f)
f:write("last line without newline")
show("close", f:close())
show("closed type", io.type(f))
show("closed use", pcall(f.write, f, "x"))
show("closed read", pcall(f.read, f))
show("close twice", pcall(f.close, f))
show("tostring closed", tostring(f))
show("contents", slurp("fio_a.txt"))

print("-- read formats")
f = assert(io.open("fio_a.txt", "r"))
show("l", f:read("l"))
show("L", f:read("L"))
show("n n", f:read("n", "n"))
show("n float", f:read("n"), f:read("n"), f:read("n"), f:read("n"))
show("rest of line", f:read("l"))
show("count 4", f:read(4))
show("zero", f:read(0))
show("a", f:read("a"))
show("a at end", f:read("a"))
show("l at end", f:read("l"))
show("zero at end", f:read(0))
show("count at end", f:read(1))
show("n at end", f:read("n"))
show("old-style *l", pcall(f.read, f, "*l"))
show("bad format", pcall(f.read, f, "x"))
f:close()

print("-- numbers")
local numtext = "0x1A 0X1p4 -12 +7 3.25e2 .5 5. 1e-3 -0x10 0x1p-1 12abc 99 - 42 1e 9e99999 0x -inf"
f = assert(io.open("fio_n.txt", "w"))
f:write(numtext, "\n", "   \t\n  123  \n", string.rep("9", 250), "\n77\n")
f:close()
f = assert(io.open("fio_n.txt"))
local got = {}
for _ = 1, 14 do
  local v = f:read("n")
  got[#got + 1] = v == nil and "nil" or (math.type(v) .. ":" .. tostring(v))
  if v == nil then got[#got] = got[#got] .. "[" .. tostring(f:read(1)) .. "]" end
end
print("numbers", table.concat(got, " "))
show("after numbers", f:read("l"))
show("across lines", f:read("n"))
show("too long", f:read("n"))
show("after too long", f:read("l"), f:read("n"))
f:close()

print("-- seek")
f = assert(io.open("fio_s.txt", "w+"))
f:write("0123456789abcdef")
show("seek cur", f:seek())
show("seek set", f:seek("set"), f:read(3))
show("seek cur +2", f:seek("cur", 2), f:read(2))
show("seek end", f:seek("end"), f:read(1))
show("seek end -4", f:seek("end", -4), f:read("a"))
show("seek set 5", f:seek("set", 5), f:write("XY"), f:seek("cur"))
show("seek past end", f:seek("set", 20), f:write("Z"), f:seek("end"))
f:seek("set")
local contents = f:read("a")
show("holes", #contents, contents:sub(1, 16), contents:byte(17, -1))
show("seek bad whence", pcall(f.seek, f, "middle"))
show("seek negative", f:seek("set", -1))
f:close()

print("-- modes")
show("r missing", io.open("fio_missing.txt", "r"))
show("r+ missing", io.open("fio_missing.txt", "r+"))
show("bad mode", pcall(io.open, "fio_a.txt", "rw"))
show("bad mode 2", pcall(io.open, "fio_a.txt", "x"))
show("mode rb", io.type(io.open("fio_a.txt", "rb")))
f = assert(io.open("fio_m.txt", "w"))
f:write("first\n")
f:close()
f = assert(io.open("fio_m.txt", "a"))
f:write("appended\n")
show("append seek", f:seek("cur"))
f:close()
f = assert(io.open("fio_m.txt", "a+"))
f:write("third\n")
f:seek("set")
show("a+ whole", f:read("a"))
f:close()
f = assert(io.open("fio_m.txt", "r+"))
f:write("FIRST")
f:close()
show("r+ overwrote", slurp("fio_m.txt"))
f = assert(io.open("fio_m.txt", "w+"))
show("w+ truncated", f:read("a"), f:seek("end"))
f:write("new")
f:seek("set")
show("w+ read back", f:read("a"))
f:close()

print("-- lines")
f = assert(io.open("fio_l.txt", "w"))
f:write("alpha\n", "\n", "beta\r\n", "gamma 1 2.5\n", "last")
f:close()
local ls = {}
for l in io.lines("fio_l.txt") do ls[#ls + 1] = string.format("%q", l) end
print("io.lines", table.concat(ls, " "))
ls = {}
for l in io.lines("fio_l.txt", "L") do ls[#ls + 1] = string.format("%q", l):gsub("\n", "n") end
print("io.lines L", table.concat(ls, " "))
ls = {}
for a, b in io.lines("fio_l.txt", 3, 2) do ls[#ls + 1] = a .. "/" .. tostring(b) end
print("io.lines counts", table.concat(ls, " "):gsub("\n", "n"))
f = assert(io.open("fio_l.txt"))
ls = {}
for w in f:lines("l") do ls[#ls + 1] = #w end
show("f:lines lengths", table.concat(ls, ","), io.type(f))
f:close()
show("io.lines missing", pcall(io.lines, "fio_missing.txt"))
local it = io.lines("fio_l.txt")
it(); it(); it(); it(); it()
show("io.lines past end", it())
show("io.lines after close", pcall(it))

print("-- default input and output")
local saved_out = io.output()
io.output("fio_d.txt")
io.write("via io.write ", 1, " ", 2.0, "\n")
io.write("second\n")
show("io.output type", io.type(io.output()))
io.close()
io.output(saved_out)
io.input("fio_d.txt")
show("io.read", io.read("l"), io.read("n"))
show("io.read rest", io.read("a"))
io.close(io.input())
io.input(io.stdin)
show("io.output missing dir", pcall(io.output, "fio_no_dir/x.txt"))
show("io.input missing", pcall(io.input, "fio_missing.txt"))

print("-- buffering")
f = assert(io.open("fio_b.txt", "w"))
show("setvbuf no", f:setvbuf("no"))
f:write("unbuffered ")
show("seen at once", slurp("fio_b.txt"))
f:close()
f = assert(io.open("fio_b.txt", "a"))
show("setvbuf full", f:setvbuf("full", 1024))
f:write("full ")
show("not seen yet", slurp("fio_b.txt"))
show("flush", f:flush())
show("seen after flush", slurp("fio_b.txt"))
f:close()
f = assert(io.open("fio_b.txt", "a"))
show("setvbuf line", f:setvbuf("line"))
f:write("line\n")
show("seen after the newline", slurp("fio_b.txt"))
f:close()
show("final", slurp("fio_b.txt"))
show("setvbuf bad", pcall(f.setvbuf, io.stdout, "sometimes"))

print("-- binary data")
local bytes = {}
for b = 0, 255 do bytes[#bytes + 1] = string.char(b) end
local blob = table.concat(bytes):rep(40)
f = assert(io.open("fio_bin.dat", "wb"))
f:write(blob)
f:close()
local back = slurp("fio_bin.dat")
show("binary", #back, back == blob, back:byte(1), back:byte(-1), back:sub(11, 11))
f = assert(io.open("fio_bin.dat", "rb"))
local chunks, total = 0, 0
while true do
  local c = f:read(1000)
  if not c then break end
  chunks, total = chunks + 1, total + #c
end
f:close()
show("chunks", chunks, total)
local lines_in_blob = 0
for _ in io.lines("fio_bin.dat") do lines_in_blob = lines_in_blob + 1 end
show("lines in blob", lines_in_blob)

print("-- a larger file")
f = assert(io.open("fio_big.txt", "w"))
for i = 1, 20000 do f:write(i, "\t", i * i, "\t", string.format("%.3f", i / 7), "\n") end
show("size", f:seek("end"))
f:close()
local sum, fsum, count = 0, 0.0, 0
f = assert(io.open("fio_big.txt"))
while true do
  local a, b, c = f:read("n", "n", "n")
  if not a then break end
  sum, fsum, count = sum + a + b, fsum + c, count + 1
end
f:close()
show("parsed", count, sum, string.format("%.3f", fsum))

print("-- os.remove and os.rename")
show("rename", os.rename("fio_a.txt", "fio_a2.txt"))
show("old gone", io.open("fio_a.txt"))
show("rename missing", os.rename("fio_missing.txt", "fio_other.txt"))
show("rename into missing dir", os.rename("fio_a2.txt", "fio_no_dir/a.txt"))
show("rename over existing", os.rename("fio_a2.txt", "fio_m.txt"), #slurp("fio_m.txt"))
show("remove", os.remove("fio_m.txt"))
show("remove again", os.remove("fio_m.txt"))
show("remove missing dir", os.remove("fio_no_dir/x"))
show("remove empty name", os.remove(""))
show("open empty name", io.open(""))
show("open dir for writing", io.open(".", "w"))
show("open in missing dir", io.open("fio_no_dir/x.txt", "w"))
for _, name in ipairs({ "fio_n.txt", "fio_s.txt", "fio_l.txt", "fio_d.txt", "fio_b.txt",
  "fio_bin.dat", "fio_big.txt" }) do
  assert(os.remove(name))
end
show("cleaned", io.open("fio_big.txt"))

print("-- os")
show("getenv missing", os.getenv("KEEL_DIFF_SURELY_UNSET"))
show("date fixed", os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%Y-%m-%d %H:%M:%S", 1234567890))
show("date fields", os.date("!%j %w %a %b %A %B %p %y %%", 951782400))
local t = os.date("!*t", 1700000000)
show("date table", t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst)
show("date bad", pcall(os.date, "%Ez", 0), pcall(os.date, "%", 0))
show("difftime", os.difftime(100, 40), os.difftime(0, 1e9))
show("exit is a function", type(os.exit))
