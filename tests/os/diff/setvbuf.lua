-- Differential test (tests/host/test_diff.py): file:setvbuf on a file
-- that has been written to (C's setvbuf, which the C standard allows
-- only before any other operation on the stream; Lua's manual sets no
-- such rule). glibc keeps the buffered bytes; found on Keel (picolibc):
-- the bytes still in the buffer are lost, replaced by others, and the
-- sequence at the end (the one fileio.lua had first) crashes lua with a
-- segmentation fault -- it reads an address made of the bytes "full ".
-- fileio.lua calls setvbuf only on files just opened.

local function slurp(name)
  local f = assert(io.open(name, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

io.stdout:setvbuf("no")
local g = assert(io.open("sv_a.txt", "w"))
g:write("buffered ")
print("setvbuf no after a write", g:setvbuf("no"))
g:write("more")
g:close()
print(string.format("%q", slurp("sv_a.txt")))
assert(os.remove("sv_a.txt"))

local f = assert(io.open("sv_b.txt", "w"))
print("setvbuf no", f:setvbuf("no"))
f:write("unbuffered ")
print("seen at once", slurp("sv_b.txt"))
print("setvbuf full after a write", f:setvbuf("full", 1024))
f:write("full ")
print("flush", f:flush())
print("seen after flush", slurp("sv_b.txt"))
print("setvbuf line", f:setvbuf("line"))
f:write("line\n")
f:close()
print(string.format("%q", slurp("sv_b.txt")))
assert(os.remove("sv_b.txt"))
