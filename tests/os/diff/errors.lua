-- Differential test (tests/host/test_diff.py): errors -- error with
-- strings, tables and other values, levels, pcall and xpcall with
-- handlers that print no addresses, assert, the runtime's messages, and
-- at the end an error nobody catches: the interpreter's message and
-- traceback on stderr and exit status 1. An error handler that fails
-- (C recursion to Lua's limit) is cstack.lua's.
-- exit status: 1

local function show(label, ok, ...)
  local parts = { tostring(ok) }
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "table" then
      local ks = {}
      for k, x in pairs(v) do ks[#ks + 1] = tostring(k) .. "=" .. tostring(x) end
      table.sort(ks)
      v = "table{" .. table.concat(ks, ",") .. "}"
    end
    parts[#parts + 1] = tostring(v)
  end
  print(label, table.concat(parts, " | "))
end

print("-- error values")
show("string", pcall(error, "plain"))
show("string level 0", pcall(error, "plain", 0))
show("table", pcall(error, { code = 42, msg = "bad thing" }))
show("number", pcall(error, 3.5))
show("integer", pcall(error, 7))
show("nil", pcall(error, nil))
show("none", pcall(error))
show("boolean", pcall(error, false))
local E = setmetatable({}, { __tostring = function(e) return "E-object" end })
show("with __tostring", pcall(error, E))

print("-- levels")
local function lvl1(level) error("at level " .. tostring(level), level) end
local function lvl2(level) lvl1(level) end
local function lvl3(level) lvl2(level) end
for level = 0, 4 do
  show("level " .. level, pcall(lvl3, level))
end
local function check_arg(x)
  if type(x) ~= "number" then error("number expected, got " .. type(x), 2) end
  return x
end
local function caller() return check_arg("str") end
show("blame the caller", pcall(caller))

print("-- pcall")
show("ok values", pcall(function(...) return ... end, 1, nil, "three"))
show("non-function", pcall(42))
show("no args", pcall(pcall))
show("nested", pcall(pcall, error, "inner"))
show("error in error handler-free code", pcall(function() local t = {} return t.x.y end))
local depth = 0
local function nested(n)
  depth = depth + 1
  if n == 0 then error("bottom") end
  local ok, e = pcall(nested, n - 1)
  error("level " .. n .. " <- " .. tostring(e):gsub("^errors%.lua:%d+: ", ""), 0)
end
show("rethrow chain", pcall(nested, 4))
print("depth", depth)

print("-- xpcall")
show("handler result", xpcall(function() error("oops") end, function(m) return "handled: " .. m end))
show("handler args", xpcall(function(a, b) return a + b end, print, 3, 4))
show("handler gets table", xpcall(function() error({ id = 9 }) end, function(e) return e.id * 2 end))
show("handler sees level", xpcall(function() error("deep", 2) end, function(m) return m end))
show("handler info", xpcall(function() local x = nil; x() end,
  function(m) return m .. " @" .. debug.getinfo(2, "S").short_src end))
show("handler traceback lines", xpcall(function() error("tb") end, function(m)
  local tb = debug.traceback(m, 1)
  local n = select(2, tb:gsub("\n", ""))
  return tb:match("^[^\n]*") .. " (" .. n .. " lines)"
end))
show("no handler", pcall(xpcall, function() end))

print("-- assert")
show("assert false", pcall(assert, false))
show("assert nil msg", pcall(assert, nil, "custom message"))
show("assert table msg", pcall(assert, false, { why = "because" }))
show("assert number msg", pcall(assert, 1 == 2, 404))
show("assert passes", pcall(assert, 1, 2, 3))
show("assert none", pcall(assert))
show("assert from io", pcall(function() return assert(io.open("no-such-file.txt")) end))

print("-- the runtime's messages")
local cases = {
  { "arith nil global", function() return undefined_global + 1 end },
  { "arith nil local", function() local v; return v * 2 end },
  { "arith string", function() return "abc" + 1 end },
  { "arith table field", function() local t = { f = {} }; return t.f - 1 end },
  { "index nil", function() local t; return t.x end },
  { "index nil field", function() local t = {}; return t.a.b end },
  { "index number", function() local n = 5; return n.x end },
  { "newindex nil", function() local t; t.x = 1 end },
  { "call nil", function() local t = {}; t.nope() end },
  { "call method", function() local t = {}; t:method() end },
  { "call number", function() local n = 1; n() end },
  { "call global", function() no_such_function() end },
  { "compare", function() return 1 < "2" end },
  { "compare tables", function() return {} <= {} end },
  { "compare nil", function() return nil > 1 end },
  { "concat nil", function() local s; return "a" .. s end },
  { "concat table", function() return "a" .. {} end },
  { "concat bool", function() return true .. "" end },
  { "length", function() local n = 3; return #n end },
  { "length nil", function() return #nil_global end },
  { "upvalue", function() local up; return (function() return up.x end)() end },
  { "for initial", function() for i = "a", 2 do end end },
  { "for limit", function() for i = 1, {} do end end },
  { "int overflow for", function() for i = 1, 2, 0 do end end },
  { "integer conversion", function() return 1.5 | 0 end },
  { "string to int", function() return "1.5" // 0 end },
  { "mod zero", function() return 1 % 0 end },
  { "bad arg type", function() return string.rep() end },
  { "bad arg method", function() return ("x"):rep("y") end },
  { "bad arg number", function() return math.floor("z") end },
  { "bad arg io", function() return io.open() end },
  { "setmetatable", function() return setmetatable(1, {}) end },
  { "tostring none", function() return tostring() end },
  { "select", function() return select("x") end },
  { "string.char", function() return string.char(256) end },
  { "table.concat", function() return table.concat({ {} }) end },
  { "rawset", function() return rawset({}, nil, 1) end },
  { "ipairs", function() return ipairs() end },
  { "too many", function() return string.format("%d", "1.5") end },
}
for _, case in ipairs(cases) do
  show(case[1], pcall(case[2]))
end

print("-- error objects through layers")
local Err = {}
Err.__index = Err
Err.__tostring = function(e) return "Err(" .. e.kind .. ")" end
local function raise(kind) error(setmetatable({ kind = kind }, Err)) end
local function try(f, ...)
  local ok, e = pcall(f, ...)
  if ok then return "ok" end
  if getmetatable(e) == Err then return "caught " .. tostring(e) end
  return "other: " .. tostring(e)
end
print("typed", try(raise, "io"), try(error, "str", 0), try(function() end))
local finally_log = {}
local function with_cleanup(f)
  local ok, e = pcall(f)
  finally_log[#finally_log + 1] = "cleanup"
  if not ok then error(e, 0) end
  return e
end
show("cleanup then rethrow", pcall(with_cleanup, function() error("inner fail", 0) end))
print("cleanup ran", table.concat(finally_log, ","))
show("error in __index", pcall(function()
  local t = setmetatable({}, { __index = function(_, k) error("no key " .. k) end })
  return t.missing
end))
show("error in __tostring", pcall(tostring, setmetatable({}, { __tostring = function() error("ts fail", 0) end })))
show("__tostring not string", pcall(tostring, setmetatable({}, { __tostring = function() return 1 end })))
show("error in __gc-free close", pcall(function()
  local r <close> = setmetatable({}, { __close = function() error("close fail", 0) end })
  return "body"
end))
show("load runtime error", pcall(load("local x = 1 + nil", "=custom")))
show("load syntax", load("x = = 1", "=named"))
show("load syntax long", load("local function f()\n return 1\n", "@file.lua"))
show("string chunk name", pcall(load("error('in string chunk')")))
io.stdout:write("before the uncaught error\n")
io.stderr:write("stderr line before the error\n")
local function the_end() error("uncaught at the end") end
the_end()
print("never printed")
