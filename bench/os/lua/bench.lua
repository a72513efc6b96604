-- The Lua benchmark of the application benchmarks (docs/benchmarks.md,
-- "Application benchmarks"): CPU-bound work in the interpreter -- calls,
-- tables, strings, closures, sorting, coroutines -- with no file or
-- system-call traffic beyond printing a few lines, run on Keel and on
-- Linux by bench/os/appbench.c.
--
--   lua bench.lua [SCALE]     SCALE (default 10) repeats every part
--
-- Deterministic: no math.random (Lua 5.4 seeds it from the clock), no
-- libm functions (the two systems' C libraries may round them
-- differently), no floating-point text; what is summed over pairs() is
-- summed in an order-independent way (string hashing is seeded per run,
-- so the order of string keys differs from run to run). Each part prints
-- its result, and the last line is a checksum of all of them:
--
--   LUABENCH <part> <result>
--   LUABENCH CHECKSUM <hex> scale=<n>
--
-- Its live data stays under about 200 KiB (Keel's programs had about
-- 430 KiB of heap when it was written).

local scale = math.tointeger(tonumber(arg and arg[1] or "10"))
if scale == nil or scale < 1 then
  error("usage: lua bench.lua [SCALE]  (SCALE a positive integer)")
end

local MOD = 4294967296 -- 2^32: every result is kept an integer below it

local checksum = 0
local function report(part, value)
  assert(math.type(value) == "integer", part .. ": result not an integer")
  value = value % MOD
  checksum = (checksum * 1000003 + value) % MOD
  print(string.format("LUABENCH %s %d", part, value))
end

-- A linear congruential generator (Knuth's MMIX constants, top 31 bits).
local function generator(seed)
  local state = seed
  return function()
    state = state * 6364136223846793005 + 1442695040888963407
    return (state >> 33)
  end
end

-- 1. Calls: naive recursive Fibonacci and Ackermann.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end

local function part_calls()
  local total = 0
  for i = 1, scale do
    total = total + fib(20 + i % 3) + ack(2, 200 + i % 7)
  end
  return total
end

-- 2. Tables: an array filled from the generator, a hash table of counts
-- keyed by integers, and a matrix product.
local function part_tables()
  local next_value = generator(42)
  local total = 0
  for round = 1, scale do
    local array = {}
    for i = 1, 1000 do
      array[i] = next_value() % 100000
    end
    local counts = {}
    for i = 1, #array do
      local key = array[i] % 769
      counts[key] = (counts[key] or 0) + 1
    end
    for key, count in pairs(counts) do
      total = total + key * count -- a sum: the order of pairs does not matter
    end
    for i = #array, 1, -2 do
      array[i] = nil
    end
    total = total + #array + round
    local n = 24
    local a, b = {}, {}
    for i = 1, n do
      a[i], b[i] = {}, {}
      for j = 1, n do
        a[i][j] = (i * j + round) % 17
        b[i][j] = (i + 2 * j) % 13
      end
    end
    for i = 1, n do
      local row = a[i]
      for j = 1, n do
        local s = 0
        for k = 1, n do
          s = s + row[k] * b[k][j]
        end
        total = total + s * ((i + j) % 5)
      end
    end
  end
  return total
end

-- 3. Strings: formatting, concatenation, patterns, interning.
local function part_strings()
  local total = 0
  for round = 1, scale do
    local parts = {}
    for i = 1, 300 do
      parts[i] = string.format("%d:%x:%s", i * round, i * i, (i % 3 == 0) and "fizz" or "b")
    end
    local text = table.concat(parts, ",")
    total = total + #text
    local numbers = 0
    for digits in string.gmatch(text, "%d+") do
      numbers = numbers + #digits
    end
    total = total + numbers
    local replaced, count = string.gsub(text, "fizz", "FIZZBUZZ")
    total = total + #replaced + count
    local upper = string.upper(string.sub(text, 1, 2000))
    for i = 1, #upper, 7 do
      total = total + string.byte(upper, i)
    end
    local seen = {}
    for i = 1, 500 do
      local key = "k" .. (i * 7919) % 503
      seen[key] = (seen[key] or 0) + i
    end
    for key, value in pairs(seen) do
      total = total + #key * value
    end
    local at = 1
    while true do
      local first, last = string.find(text, "1%d:", at)
      if first == nil then break end
      total = total + first
      at = last + 1
    end
    total = total + #string.rep("ab", 300 + round, "-")
  end
  return total
end

-- 4. Closures: counters, composition, map / filter / reduce.
local function map(list, f)
  local out = {}
  for i = 1, #list do out[i] = f(list[i]) end
  return out
end

local function filter(list, keep)
  local out = {}
  for i = 1, #list do
    if keep(list[i]) then out[#out + 1] = list[i] end
  end
  return out
end

local function reduce(list, f, acc)
  for i = 1, #list do acc = f(acc, list[i]) end
  return acc
end

local function compose(f, g)
  return function(x) return f(g(x)) end
end

local function part_closures()
  local total = 0
  for round = 1, scale do
    local counters = {}
    for i = 1, 100 do
      local count = 0
      counters[i] = function(step)
        count = count + step
        return count
      end
    end
    for pass = 1, 20 do
      for i = 1, #counters do
        total = total + counters[i](pass + i % 3)
      end
    end
    local list = {}
    for i = 1, 600 do list[i] = i + round end
    local twice_plus = compose(function(x) return x + 3 end, function(x) return x * 2 end)
    local mapped = map(list, twice_plus)
    local kept = filter(mapped, function(x) return x % 3 ~= 0 end)
    total = total + reduce(kept, function(acc, x) return (acc + x * 7) % MOD end, 0)
  end
  return total
end

-- 5. Sorting: table.sort with and without a comparator, and an insertion
-- sort written in Lua.
local function part_sort()
  local next_value = generator(7)
  local total = 0
  for _ = 1, scale do
    local numbers = {}
    for i = 1, 800 do numbers[i] = next_value() % 1000000 end
    table.sort(numbers)
    local words = {}
    for i = 1, 200 do words[i] = string.format("w%05d", next_value() % 50000) end
    table.sort(words, function(x, y) return x > y end)
    local small = {}
    for i = 1, 200 do small[i] = next_value() % 1000 end
    for i = 2, #small do
      local v, j = small[i], i - 1
      while j >= 1 and small[j] > v do
        small[j + 1] = small[j]
        j = j - 1
      end
      small[j + 1] = v
    end
    for i = 1, #numbers, 37 do total = total + numbers[i] * i end
    for i = 1, #words, 11 do total = total + tonumber(string.sub(words[i], 2)) end
    for i = 1, #small, 13 do total = total + small[i] end
    for i = 2, #numbers do assert(numbers[i - 1] <= numbers[i]) end
  end
  return total
end

-- 6. Coroutines and a small search: a generator of primes (sieve of
-- Eratosthenes) and the n-queens count by backtracking.
local function primes_below(limit)
  return coroutine.wrap(function()
    local composite = {}
    for n = 2, limit - 1 do
      if not composite[n] then
        coroutine.yield(n)
        for m = n * n, limit - 1, n do composite[m] = true end
      end
    end
  end)
end

local function queens(n)
  local columns, diag1, diag2 = {}, {}, {}
  local function place(row)
    if row > n then return 1 end
    local found = 0
    for c = 1, n do
      if not columns[c] and not diag1[row + c] and not diag2[row - c + n] then
        columns[c], diag1[row + c], diag2[row - c + n] = true, true, true
        found = found + place(row + 1)
        columns[c], diag1[row + c], diag2[row - c + n] = false, false, false
      end
    end
    return found
  end
  return place(1)
end

local function part_search()
  local total = 0
  for round = 1, scale do
    local count, last = 0, 0
    for p in primes_below(3000 + round) do
      count = count + 1
      last = p
    end
    total = total + count * 100000 + last + queens(7)
  end
  return total
end

report("calls", part_calls())
report("tables", part_tables())
report("strings", part_strings())
report("closures", part_closures())
report("sort", part_sort())
report("search", part_search())
print(string.format("LUABENCH CHECKSUM %08x scale=%d", checksum, scale))
