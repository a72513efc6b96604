-- Differential test (tests/host/test_diff.py): coroutines -- generators,
-- wrap, status, values both ways, yields across pcall and metamethods,
-- errors inside coroutines, close. Coroutines nest at most some 15 deep
-- here: deeper nesting is cstack.lua's.

print("-- a generator")
local function range(n, step)
  return coroutine.wrap(function()
    for i = 1, n, step or 1 do coroutine.yield(i) end
  end)
end
local got = {}
for v in range(10, 3) do got[#got + 1] = v end
print("range", table.concat(got, " "))

print("-- status")
local co
co = coroutine.create(function(a, b)
  print("  inside, status", coroutine.status(co), coroutine.isyieldable())
  local c = coroutine.yield(a + b)
  print("  resumed with", c)
  local d, e = coroutine.yield(c * 2)
  print("  resumed with", d, e)
  return "done", d + e
end)
print("created", coroutine.status(co))
print("resume 1", coroutine.resume(co, 1, 2))
print("status", coroutine.status(co))
print("resume 2", coroutine.resume(co, 10))
print("resume 3", coroutine.resume(co, 3, 4))
print("dead", coroutine.status(co), coroutine.resume(co))
print("main", coroutine.isyieldable(), select(2, coroutine.running()))

print("-- normal status")
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function()
    return coroutine.status(outer)
  end)
  return coroutine.resume(inner)
end)
print("outer sees", coroutine.resume(outer))

print("-- producer and consumer")
local function producer(items)
  return coroutine.create(function()
    for _, item in ipairs(items) do coroutine.yield(item) end
    return nil
  end)
end
local function filter(src, pred)
  return coroutine.create(function()
    while true do
      local _, v = coroutine.resume(src)
      if v == nil then return nil end
      if pred(v) then coroutine.yield(v) end
    end
  end)
end
local pipeline = filter(producer({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }), function(v) return v % 3 ~= 0 end)
local consumed = {}
while true do
  local _, v = coroutine.resume(pipeline)
  if v == nil then break end
  consumed[#consumed + 1] = v
end
print("pipeline", table.concat(consumed, ","))

print("-- permutations generator")
local function permgen(a, n)
  n = n or #a
  if n <= 1 then
    coroutine.yield(a)
  else
    for i = 1, n do
      a[n], a[i] = a[i], a[n]
      permgen(a, n - 1)
      a[n], a[i] = a[i], a[n]
    end
  end
end
local perms = {}
for p in coroutine.wrap(function() permgen({ 1, 2, 3 }) end) do perms[#perms + 1] = table.concat(p) end
print("perms", table.concat(perms, " "))

print("-- primes through a chain of coroutines")
local function gen(n)
  return coroutine.wrap(function() for i = 2, n do coroutine.yield(i) end end)
end
local function sieve(p, src)
  return coroutine.wrap(function()
    for x in src do if x % p ~= 0 then coroutine.yield(x) end end
  end)
end
local primes, src = {}, gen(50)
while true do
  local p = src()
  if p == nil then break end
  primes[#primes + 1] = p
  src = sieve(p, src)
end
print("primes", #primes, table.concat(primes, ","))

print("-- yield across pcall and metamethods")
local across = coroutine.create(function()
  local ok, v = pcall(function()
    local x = coroutine.yield("in pcall")
    if x == "raise" then error("raised after yield", 0) end
    return x
  end)
  coroutine.yield("pcall gave " .. tostring(ok) .. " " .. tostring(v))
  local ok2, v2 = pcall(function()
    local x = coroutine.yield("second pcall")
    error({ code = x })
  end)
  coroutine.yield("second gave " .. tostring(ok2) .. " code " .. tostring(v2.code))
  local mt = { __index = function(_, k) return coroutine.yield("index " .. k) end,
    __add = function(a, b) return coroutine.yield("add") end }
  local obj = setmetatable({}, mt)
  local fromindex = obj.field
  local fromadd = obj + 1
  return "end " .. tostring(fromindex) .. " " .. tostring(fromadd)
end)
print(coroutine.resume(across))
print(coroutine.resume(across, "raise"))
print(coroutine.resume(across))
print(coroutine.resume(across, 404))
print(coroutine.resume(across))
print(coroutine.resume(across, "I"))
print(coroutine.resume(across, "A"))
print("xpcall across", coroutine.wrap(function()
  return xpcall(function() return coroutine.yield("y") .. "!" end, function(m) return "handled " .. m end)
end)())
local xp = coroutine.wrap(function()
  return xpcall(function() coroutine.yield(1); error("late", 0) end, function(m) return "handled " .. m end)
end)
print("xpcall after yield", xp(), xp())
print("table.sort cannot yield", coroutine.wrap(function()
  return pcall(table.sort, { 3, 1, 2 }, function(a, b) coroutine.yield() return a < b end)
end)())

print("-- errors in coroutines")
local bad = coroutine.create(function() local x = nil; return x.field end)
print("runtime error", coroutine.resume(bad))
print("after error", coroutine.status(bad), coroutine.resume(bad))
local tbl = coroutine.create(function() error({ reason = "tbl" }) end)
local ok, e = coroutine.resume(tbl)
print("table error", ok, type(e), e.reason)
local w = coroutine.wrap(function() error("wrapped failure") end)
print("wrap error", pcall(w))
local w2 = coroutine.wrap(function() error("no position", 0) end)
print("wrap error level 0", pcall(w2))
local w3 = coroutine.wrap(function() return 1 end)
w3()
print("dead wrap", pcall(w3))
print("yield outside", pcall(coroutine.yield, 1))
print("resume non-coroutine", pcall(coroutine.resume, 42))
print("resume running", coroutine.wrap(function() return coroutine.resume(coroutine.running()) end)())
print("traceback", (debug.traceback(bad):gsub("\n", " | ")))

print("-- close")
local closable = coroutine.create(function()
  local r <close> = setmetatable({}, { __close = function() print("  closing resource") end })
  coroutine.yield("holding")
end)
print("before close", coroutine.resume(closable))
print("close", coroutine.close(closable), coroutine.status(closable))
local failing = coroutine.create(function() error("failed", 0) end)
coroutine.resume(failing)
print("close dead with error", coroutine.close(failing))
print("close fresh", coroutine.close(coroutine.create(print)))
print("close running", pcall(coroutine.close, coroutine.running()))

print("-- many coroutines")
local cos = {}
for i = 1, 200 do
  cos[i] = coroutine.create(function(x)
    local total = x
    while true do total = total + coroutine.yield(total) end
  end)
end
local total = 0
for round = 1, 5 do
  for i = 1, #cos do
    local _, v = coroutine.resume(cos[i], round == 1 and i or 1)
    if round == 5 then total = total + v end
  end
end
print("200 coroutines", total)
local deep = coroutine.wrap(function()
  local function nest(n) if n == 0 then coroutine.yield("bottom") return 0 end return 1 + nest(n - 1) end
  coroutine.yield(nest(100))
end)
print("yield from depth", deep(), deep())
