-- Differential test (tests/host/test_diff.py): a file read in the mode
-- "a+" before any seek, and files used against their mode, where Keel's
-- C library (picolibc) was found to differ from the host's (glibc),
-- kept apart from fileio.lua so that this test names the difference.
-- POSIX has fopen's "a+" open the file with O_APPEND, whose reads start
-- at the beginning (glibc); on Keel the first read finds the end of the
-- file. A write to a file opened for reading fails on both, but on Keel
-- without setting errno, so Lua reports whatever errno held (here the
-- ENOENT of the failed open before it); a read of a file opened for
-- writing fails with EBADF on the host and reads "" on Keel.

local function show(label, ...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    parts[#parts + 1] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  print(label, table.concat(parts, " "))
end

local f = assert(io.open("fm_a.txt", "w"))
f:write("first\nsecond\n")
f:close()
f = assert(io.open("fm_a.txt", "a+"))
show("a+ reads from the start", f:read("l"))
f:write("third\n")
show("a+ after a write", f:read("a"))
f:seek("set")
show("a+ whole", f:read("a"))
f:close()

show("a failed open", io.open("fm_missing.txt"))
f = assert(io.open("fm_a.txt", "r"))
show("write on read-only", f:write("nope"))
f:close()
f = assert(io.open("fm_a.txt", "w"))
show("read on write-only", f:read("a"))
show("read a line on write-only", f:read("l"))
f:close()
assert(os.remove("fm_a.txt"))
