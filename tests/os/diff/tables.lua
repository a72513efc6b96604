-- Differential test (tests/host/test_diff.py): tables, the table library
-- and metatables. No table is printed as a value and hash keys are
-- sorted before they are listed: the output is the same everywhere.

local function list(t, n)
  local parts = {}
  for i = 1, n or #t do parts[#parts + 1] = tostring(t[i]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, ",")
end

print("-- constructors and length")
local t = { 10, 20, 30, x = 1, ["y z"] = 2, [1.0 + 3] = 40 }
print("ctor", list(t), keys(t), #t)
local mixed = { [1] = "a", [2] = "b", [3.0] = "c" }
print("float keys", #mixed, mixed[3], math.type(next({ [2.0] = true })))
local nested = { a = { b = { c = "deep" } } }
print("nested", nested.a.b.c, nested["a"]["b"].c)
print("nil index", pcall(function() local n = nil; return n.x end))
print("nan key", pcall(function() local k = {}; k[0 / 0] = 1 end))
print("nil key", pcall(function() local k = {}; k[nil] = 1 end))
print("nil key read", ({})[nil])

print("-- table.insert / remove")
local a = {}
for i = 1, 10 do table.insert(a, i * i) end
print("insert", list(a))
table.insert(a, 1, 0)
table.insert(a, 5, -1)
print("insert at", list(a), #a)
print("remove", table.remove(a), table.remove(a, 1), table.remove(a, 4), list(a))
print("remove empty", table.remove({}), table.remove({}, 0), #a)
print("remove #+1", table.remove(a, #a + 1), #a)
print("insert bad", pcall(table.insert, a, 100, 1))
print("insert args", pcall(table.insert, a))
print("remove bad", pcall(table.remove, a, 100))

print("-- table.concat")
print("concat", table.concat({ 1, 2, 3 }), table.concat({ 1, 2, 3 }, ", "),
  table.concat({ "a", "b", "c", "d" }, "-", 2, 3), table.concat({}, "x"), table.concat({ 1.5, 2 }, " "))
print("concat bad", pcall(table.concat, { 1, {}, 3 }))
print("concat range", table.concat({ "a" }, ",", 3, 2), pcall(table.concat, { "a" }, ",", 1, 2))

print("-- table.unpack / pack")
print("unpack", table.unpack({ 1, 2, 3 }))
print("unpack range", table.unpack({ 1, 2, 3, 4, 5 }, 2, 4))
print("unpack nils", select("#", table.unpack({ 1, nil, 3 }, 1, 5)), table.unpack({ 1, nil, 3 }, 1, 3))
local p = table.pack(1, nil, 3, nil)
print("pack", p.n, p[1], p[2], p[3], p[4])
print("unpack big", pcall(table.unpack, {}, 1, 1e8))

print("-- table.move")
local m = { 1, 2, 3, 4, 5 }
table.move(m, 2, 4, 1)
print("move left", list(m))
m = { 1, 2, 3, 4, 5 }
table.move(m, 1, 3, 3)
print("move right", list(m))
local dst = table.move({ 1, 2, 3 }, 1, 3, 2, { "x" })
print("move other", list(dst))

print("-- table.sort")
local nums = { 5, 3, 8, 1, 9, 2, 7, 4, 6, 0, -1, 3.5, 2.5 }
table.sort(nums)
print("sort", list(nums))
table.sort(nums, function(x, y) return x > y end)
print("sort desc", list(nums))
local strs = { "banana", "Apple", "cherry", "apple", "Banana", "", "a", "ab" }
table.sort(strs)
print("sort strings", table.concat(strs, "|"))
local recs = {}
for i = 1, 200 do recs[i] = { id = i, key = (i * 37) % 23 } end
table.sort(recs, function(x, y)
  if x.key ~= y.key then return x.key < y.key end
  return x.id < y.id
end)
local firsts = {}
for i = 1, 12 do firsts[i] = recs[i].key .. "/" .. recs[i].id end
print("sort records", table.concat(firsts, " "))
local big = {}
local seed = 12345
for i = 1, 5000 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  big[i] = seed % 100000
end
table.sort(big)
local sorted = true
for i = 2, #big do if big[i - 1] > big[i] then sorted = false end end
print("sort 5000", sorted, big[1], big[2500], big[5000])
print("sort mixed", pcall(table.sort, { 1, "x", 2 }))
print("sort bad cmp", pcall(table.sort, { 3, 2, 1, 5, 4 }, function(x, y) return true end))

print("-- next and pairs, with sorted keys")
local h = { zeta = 1, alpha = 2, mid = 3, [1] = "one", [2] = "two", [10] = "ten" }
print("keys", keys(h))
local count = 0
for _ in pairs(h) do count = count + 1 end
print("count", count, next({}), rawlen(h), rawequal(h, h), rawget(h, "mid"))
local ip = {}
for i, v in ipairs({ "a", "b", nil, "d" }) do ip[#ip + 1] = i .. v end
print("ipairs stops at nil", table.concat(ip, " "))
local removing = { a = 1, b = 2, c = 3, d = 4 }
for k in pairs(removing) do removing[k] = nil end
print("cleared while iterating", next(removing))

print("-- metatables: __index, __newindex")
local defaults = setmetatable({}, { __index = function(_, k) return "default:" .. tostring(k) end })
print("__index func", defaults.foo, defaults[1], rawget(defaults, "foo"))
local base = { greet = function(self) return "hello " .. self.name end, kind = "base" }
base.__index = base
local obj = setmetatable({ name = "obj" }, base)
print("__index table", obj:greet(), obj.kind, obj.missing)
local Derived = setmetatable({ kind = "derived" }, { __index = base })
Derived.__index = Derived
local d = setmetatable({ name = "d" }, Derived)
print("chain", d:greet(), d.kind)
local log = {}
local guarded = setmetatable({}, {
  __newindex = function(tbl, k, v)
    log[#log + 1] = tostring(k) .. "=" .. tostring(v)
    rawset(tbl, k, v * 2)
  end,
})
guarded.a = 1
guarded.a = 5
guarded.b = 3
print("__newindex", table.concat(log, " "), guarded.a, guarded.b)
local store = {}
local proxy = setmetatable({}, { __index = store, __newindex = store })
proxy.x = 42
print("__newindex table", rawget(proxy, "x"), store.x, proxy.x)
local ro = setmetatable({}, { __newindex = function(_, k) error("read-only: " .. k, 2) end })
print("read-only", pcall(function() ro.field = 1 end))

print("-- metatables: arithmetic, comparison, concat, call")
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({ x = x, y = y }, V) end
V.__add = function(p, q) return vec(p.x + q.x, p.y + q.y) end
V.__sub = function(p, q) return vec(p.x - q.x, p.y - q.y) end
V.__mul = function(p, k)
  if type(p) == "number" then p, k = k, p end
  return vec(p.x * k, p.y * k)
end
V.__unm = function(p) return vec(-p.x, -p.y) end
V.__eq = function(p, q) return p.x == q.x and p.y == q.y end
V.__lt = function(p, q) return p.x * p.x + p.y * p.y < q.x * q.x + q.y * q.y end
V.__le = function(p, q) return not (q < p) end
V.__len = function(p) return math.sqrt(p.x * p.x + p.y * p.y) end
V.__tostring = function(p) return "(" .. p.x .. "," .. p.y .. ")" end
V.__concat = function(p, q) return tostring(p) .. "&" .. tostring(q) end
V.__call = function(p, k) return p.x * k + p.y end
V.__idiv = function(p, k) return vec(p.x // k, p.y // k) end
V.__mod = function(p, k) return vec(p.x % k, p.y % k) end
V.__band = function(p, q) return vec(p.x & q.x, p.y & q.y) end
V.__shl = function(p, n) return vec(p.x << n, p.y << n) end
V.__bnot = function(p) return vec(~p.x, ~p.y) end
local v1, v2 = vec(1, 2), vec(3, 4)
print("arith", tostring(v1 + v2), tostring(v2 - v1), tostring(v1 * 3), tostring(2 * v2), tostring(-v1))
print("int ops", tostring(vec(7, 9) // 2), tostring(vec(7, -9) % 4), tostring(vec(6, 5) & vec(3, 3)),
  tostring(v1 << 2), tostring(~v1))
print("eq", v1 == vec(1, 2), v1 ~= vec(1, 2), v1 == v2, rawequal(v1, vec(1, 2)))
print("lt/le", v1 < v2, v2 < v1, v1 <= vec(2, 1), v2 > v1, v1 >= v2)
print("len", #v2, #vec(1, 1) == math.sqrt(2))
print("concat", v1 .. v2, v1 .. "s", "s" .. v2, 1 .. v1)
print("call", v1(10), v2(0), pcall(setmetatable({}, {}), 1))
print("tostring", tostring(v1), string.format("%s", v2))
print("no __lt", pcall(function() return {} < {} end))
print("no __add", pcall(function() return {} + 1 end))
print("__eq only same types", vec(1, 2) == "(1,2)")
local named = setmetatable({}, { __name = "MyType" })
print("__name", (pcall(function() return named + 1 end)), select(2, pcall(function() return #named .. named end)))
local cmpfirst = setmetatable({}, { __lt = function() return "truthy" end })
print("__lt result coerced", cmpfirst < cmpfirst)

print("-- __index depth, __len on ipairs, __close, __gc absent")
local chain = {}
for i = 1, 50 do chain = setmetatable({}, { __index = chain }) end
print("deep __index", chain.anything)
local lenobj = setmetatable({}, { __len = function() return 3 end, __index = function(_, i) return i * 10 end })
local seen = {}
for i, v in ipairs(lenobj) do
  seen[#seen + 1] = v
  if i >= 5 then break end
end
print("ipairs uses __index", table.concat(seen, ","), #lenobj)
local closed = {}
do
  local res <close> = setmetatable({}, { __close = function(_, err) closed[#closed + 1] = "closed:" .. tostring(err) end })
  closed[#closed + 1] = "body"
end
print("__close", table.concat(closed, " "))
print("__close on error", pcall(function()
  local r <close> = setmetatable({}, { __close = function(_, err) closed[#closed + 1] = "err:" .. tostring(err) end })
  error("boom", 0)
end), closed[#closed])
local protected = setmetatable({}, { __metatable = "locked" })
print("__metatable", getmetatable(protected), pcall(setmetatable, protected, {}))
print("getmetatable string", getmetatable("").__index == string)

collectgarbage()
print("-- a table as a set and a queue")
local set = {}
for _, w in ipairs({ "b", "a", "c", "a", "b", "d" }) do set[w] = (set[w] or 0) + 1 end
local counts = {}
for _, k in ipairs((function() local ks = {} for k in pairs(set) do ks[#ks + 1] = k end table.sort(ks) return ks end)()) do
  counts[#counts + 1] = k .. "=" .. set[k]
end
print("set counts", table.concat(counts, " "))
local queue = { first = 1, last = 0 }
for i = 1, 1000 do queue.last = queue.last + 1; queue[queue.last] = i end
local qsum = 0
while queue.first <= queue.last do
  qsum = qsum + queue[queue.first]
  queue[queue.first] = nil
  queue.first = queue.first + 1
end
print("queue", qsum, next(queue, nil) ~= nil)
local grow = {}
for i = 1, 20000 do grow[i] = i end
for i = 20000, 1, -1 do grow[i] = nil end
print("grow shrink", #grow, next(grow))
