-- Differential test (tests/host/test_diff.py): closures, upvalues,
-- recursion, varargs and tail calls. Ends with os.exit(3): the exit
-- status must come through the same way too.
-- exit status: 3

print("-- counters")
local function counter(start, step)
  local n = start
  return function()
    n = n + step
    return n
  end
end
local c1, c2 = counter(0, 1), counter(100, -10)
print("counters", c1(), c1(), c2(), c1(), c2())

print("-- shared upvalues")
local function pair()
  local value = 0
  local function get() return value end
  local function set(v) value = v end
  return get, set
end
local get, set = pair()
set(42)
local get2, set2 = pair()
set2(7)
print("shared", get(), get2())

print("-- a fresh local per iteration")
local fns = {}
for i = 1, 5 do fns[i] = function() return i * i end end
local out = {}
for i = 1, 5 do out[i] = fns[i]() end
print("for loop", table.concat(out, " "))
fns = {}
local j = 0
while j < 5 do
  j = j + 1
  local k = j
  fns[j] = function() k = k + 100; return k end
end
out = {}
for i = 1, 5 do out[i] = fns[i]() .. "/" .. fns[i]() end
print("while loop", table.concat(out, " "))
local shared = {}
do
  local x = 1
  for i = 1, 3 do shared[i] = function() x = x * 2; return x end end
end
print("one upvalue", shared[1](), shared[2](), shared[3]())

print("-- recursion")
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print("fib", fib(20), fib(25))
local memo = {}
local function mfib(n)
  if n < 2 then return n end
  if memo[n] then return memo[n] end
  local v = mfib(n - 1) + mfib(n - 2)
  memo[n] = v
  return v
end
print("memo fib", mfib(90), mfib(92))
local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end
print("ackermann", ack(2, 3), ack(3, 3))
local is_even, is_odd
function is_even(n) if n == 0 then return true end return is_odd(n - 1) end
function is_odd(n) if n == 0 then return false end return is_even(n - 1) end
print("mutual", is_even(100), is_odd(77), is_even(7))
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print("depth", depth(5000))
local function hanoi(n, from, to, via, moves)
  if n == 0 then return moves end
  moves = hanoi(n - 1, from, via, to, moves)
  moves[#moves + 1] = from .. to
  return hanoi(n - 1, via, to, from, moves)
end
local moves = hanoi(4, "A", "C", "B", {})
print("hanoi", #moves, table.concat(moves, " "))
local function permutations(t, n, acc)
  n = n or #t
  acc = acc or {}
  if n <= 1 then
    acc[#acc + 1] = table.concat(t)
  else
    for i = 1, n do
      t[n], t[i] = t[i], t[n]
      permutations(t, n - 1, acc)
      t[n], t[i] = t[i], t[n]
    end
  end
  return acc
end
local perms = permutations({ "a", "b", "c", "d" })
table.sort(perms)
print("permutations", #perms, table.concat(perms, " "))

print("-- tail calls")
local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + n)
end
print("tail 1e6", loop(1000000, 0))
local function bounce(n) if n > 0 then return bounce(n - 1) end return "landed" end
print("bounce", bounce(300000))

print("-- varargs")
local function va(...)
  local n = select("#", ...)
  local t = { ... }
  return n, #t, (select(2, ...)), select(-1, ...)
end
print("va", va(1, nil, 3))
print("va empty", select("#"), pcall(select, 0))
print("select neg", select(-2, "a", "b", "c"))
local function pass(...) return ... end
print("pass", pass(1, 2, 3), (pass(1, 2, 3)))
print("in middle", pass(1, 2), pass(3, 4))
local function sum(...)
  local s = 0
  for _, v in ipairs({ ... }) do s = s + v end
  return s
end
print("sum", sum(), sum(1), sum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
local packed = table.pack(pass())
print("nothing", packed.n)

print("-- functions as values")
local function compose(f, g) return function(...) return f(g(...)) end end
local function map(f, t) local r = {} for i, v in ipairs(t) do r[i] = f(v) end return r end
local function filter(p, t) local r = {} for _, v in ipairs(t) do if p(v) then r[#r + 1] = v end end return r end
local function reduce(f, acc, t) for _, v in ipairs(t) do acc = f(acc, v) end return acc end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print("compose", compose(inc, dbl)(5), compose(dbl, inc)(5))
local nums = {}
for i = 1, 20 do nums[i] = i end
local evens = filter(function(x) return x % 2 == 0 end, nums)
print("map/filter/reduce", table.concat(map(dbl, evens), ","), reduce(function(a, b) return a + b end, 0, nums))
local function curry(f) return function(a) return function(b) return f(a, b) end end end
print("curry", curry(math.max)(3)(9), curry(string.rep)("ab")(3))
local function memoize(f)
  local cache, calls = {}, 0
  return function(x)
    if cache[x] == nil then calls = calls + 1; cache[x] = f(x) end
    return cache[x]
  end, function() return calls end
end
local sq, sqcalls = memoize(function(x) return x * x end)
print("memoize", sq(4), sq(4), sq(5), sqcalls())

print("-- upvalue introspection")
local up1, up2 = 10, "s"
local function uses() return up1, up2 end
print("getupvalue", debug.getupvalue(uses, 1), debug.getupvalue(uses, 2))
debug.setupvalue(uses, 1, 99)
print("setupvalue", uses(), up1)
local function other() return up1 end
print("upvalueid shared", debug.upvalueid(uses, 1) == debug.upvalueid(other, 1))
print("info", debug.getinfo(1, "l").currentline, debug.getinfo(counter, "S").linedefined,
  debug.getinfo(counter, "u").nparams, debug.getinfo(va, "u").isvararg, debug.getinfo(print, "S").what)

print("-- load and environments")
local chunk = load("local a, b = ... return a * b")
print("load args", chunk(6, 7))
local env = { x = 5 }
local f = load("y = x * 2 return y", "chunk", "t", env)
print("load env", f(), env.y, y)
print("load error", load("return +"))
print("load mode", load("return 1", "c", "b"))
local pieces = { "return ", "1 ", "+ ", "41" }
local i = 0
print("load reader", load(function() i = i + 1; return pieces[i] end)())
local function make_env_counter()
  local _ENV = { n = 0 }
  return function() n = n + 1; return n end
end
local ec = make_env_counter()
print("_ENV upvalue", ec(), ec(), n)
print("string.dump roundtrip", load(string.dump(function(a) return a .. "!" end))("dumped"))
io.stdout:flush()
os.exit(3)
