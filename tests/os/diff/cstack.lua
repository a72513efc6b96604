-- Differential test (tests/host/test_diff.py): Lua code that nests C
-- calls -- pcall in pcall, a coroutine resuming another, an error
-- handler that fails -- as deep as Lua allows (LUAI_MAXCCALLS, 200 C
-- levels), past which Lua raises an error of its own ("C stack
-- overflow", "error in error handling"). The host's 8 MiB stack holds
-- that. Found on Keel: a program's stack is 32 KiB (pm's PM_STACK), and
-- lua dies of a segmentation fault (in its stack's guard page) at some
-- 30 nested pcalls or 45 nested coroutines, before Lua's own limit:
-- the topic scripts stay well below (coroutines.lua, errors.lua).

io.stdout:setvbuf("no")
local function pcalls(n)
  if n == 0 then return 0 end
  local ok, v = pcall(pcalls, n - 1)
  if not ok then error(v, 0) end
  return v + 1
end
for _, n in ipairs({ 10, 25, 50, 100, 150, 180 }) do
  print("nested pcall", n, pcalls(n))
end
local ok, e = pcall(pcalls, 1000)
print("nested pcall past the limit", ok, e)
local function overflow(f)
  local fine, msg = pcall(f, 1000)
  return fine, msg:match("C stack overflow")
end

local function resumes(n)
  if n == 0 then return 0 end
  return coroutine.wrap(function() return 1 + resumes(n - 1) end)()
end
for _, n in ipairs({ 10, 40, 80, 150 }) do
  print("nested coroutines", n, pcall(resumes, n))
end
print("nested coroutines past the limit", overflow(resumes))

print("failing handler", xpcall(function() error("first") end, function() error("second") end))
local depth = 0
print("handler recursion", xpcall(function() error("x") end, function(m)
  depth = depth + 1
  error(m, 0)
end), depth > 10)

local function gsub_nest(n)
  if n == 0 then return "" end
  return (("x"):gsub("x", function() return gsub_nest(n - 1) .. "y" end))
end
print("nested gsub callbacks", #gsub_nest(150))
local mt = {}
mt.__index = function(t, k) if k == 0 then return 0 end return t[k - 1] + 1 end
print("nested __index functions", pcall(function() return setmetatable({}, mt)[150] end))
