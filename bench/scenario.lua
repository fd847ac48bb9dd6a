-- wrk script for every bench scenario: bench/run.py describes the request after wrk's "--".
--
--   expect=STATUS        the status a right answer has; any other status counts as an error
--   method=METHOD        the request method (GET when absent)
--   header.NAME=VALUE    a request header, e.g. header.Cookie=tmo_csrf=...
--   form.NAME=VALUE      a form field; the fields, in order, become a urlencoded body
--   path=PATH            (repeatable) send each path in turn instead of the URL's own path
--
-- Every connection sends that same request again and again and fetches nothing else: for the
-- log-in POST, run.py fetches one CSRF cookie and token with a single GET before wrk starts, and
-- this script sends that cookie (header.Cookie) and token (form.csrf_token) with every POST.
-- done() prints one parseable line, "BENCH_RESULT {json}", with latencies in microseconds
-- (wrk's own --latency table stops at 50/75/90/99).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local function urlencode(text)
   return (text:gsub("[^%w%-%._~]", function(char)
      return string.format("%%%02X", char:byte())
   end))
end

local paths = {}
local counter = 0

function init(args)
   expected_status = 200
   wrong_status = 0
   local fields = {}
   for _, argument in ipairs(args) do
      local name, value = argument:match("^([^=]+)=(.*)$")
      if name == nil then
         error("expected NAME=VALUE, got: " .. argument)
      elseif name == "expect" then
         expected_status = tonumber(value)
      elseif name == "method" then
         wrk.method = value
      elseif name:sub(1, 7) == "header." then
         wrk.headers[name:sub(8)] = value
      elseif name:sub(1, 5) == "form." then
         table.insert(fields, urlencode(name:sub(6)) .. "=" .. urlencode(value))
      elseif name == "path" then
         table.insert(paths, value)
      else
         error("unknown argument: " .. argument)
      end
   end
   if #fields > 0 then
      wrk.body = table.concat(fields, "&")
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
end

function request()
   if #paths == 0 then
      return wrk.request()
   end
   -- Each connection starts at its own place in the list.
   if counter == 0 then
      counter = math.random(#paths)
   end
   counter = counter % #paths + 1
   return wrk.format(nil, paths[counter])
end

function response(status, headers, body)
   if status ~= expected_status then
      wrong_status = wrong_status + 1
   end
end

function done(summary, latency, requests)
   local wrong = 0
   for _, thread in ipairs(threads) do
      wrong = wrong + thread:get("wrong_status")
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %.0f, "duration_us": %.0f, "p50_us": %.0f, "p95_us": %.0f, '
         .. '"p99_us": %.0f, "max_us": %.0f, "wrong_status": %.0f, "connect": %.0f, '
         .. '"read": %.0f, "write": %.0f, "timeout": %.0f}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      wrong, errors.connect, errors.read, errors.write, errors.timeout
   ))
end
