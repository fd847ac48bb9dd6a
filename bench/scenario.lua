-- wrk script for every bench scenario: bench/run.py describes the request after wrk's "--".
--
--   expect=STATUS        the status a right answer has; any other status counts as an error
--   method=METHOD        the request method (GET when absent)
--   header.NAME=VALUE    a request header, e.g. header.Cookie=tmo_csrf=...
--   form.NAME=VALUE      a form field; the fields, in order, become a urlencoded body
--   path=PATH            (repeatable) send each path in turn instead of the URL's own path
--   requests=FILE        send each line of FILE once, "COOKIE<TAB>BODY" (the Cookie header and
--                        the form body of one request, with the method and path above), then
--                        stop: wrk ends once every line has its answer (one wrk thread only)
--   expect_body=TEXT     an answer whose body does not contain TEXT counts as wrong, too
--
-- Every connection sends that same request again and again and fetches nothing else: for the
-- log-in POST, run.py fetches one CSRF cookie and token with a single GET before wrk starts, and
-- this script sends that cookie (header.Cookie) and token (form.csrf_token) with every POST.
-- done() prints one parseable line, "BENCH_RESULT {json}", with latencies in microseconds
-- (wrk's own --latency table stops at 50/75/90/99).
--
-- With requests=FILE (bench/ballots.py: each voter casts one ballot, with their own login cookie),
-- a connection that finds no line left is parked: it sends nothing more and waits, so no request
-- beyond the file reaches the server. After the last answer the script stops its thread and sends
-- wrk SIGINT, which ends the run at once (wrk would otherwise sleep out --duration, which is
-- then only the time limit). "elapsed_us" is measured here, from the first request sent to the
-- last answer ("first_us"/"last_us": those moments on the system's monotonic clock, so that
-- several wrk processes run at once can be put together), "sent"/"answered" count the file's
-- lines, and "quantiles" lists the latency at 0.1%, 0.2%, ... 99.9% and the maximum.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local function urlencode(text)
   return (text:gsub("[^%w%-%._~]", function(char)
      return string.format("%%%02X", char:byte())
   end))
end

local ffi = require("ffi")
ffi.cdef([[
   typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
   int clock_gettime(int clock, bench_timespec *now);
   int getpid(void);
   int kill(int pid, int signal);
]])
local CLOCK_MONOTONIC = 1
local SIGINT = 2
local clock = ffi.new("bench_timespec")

local function now_us()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local paths = {}
local counter = 0
-- requests=FILE: the lines, the next to send, and how many have been answered.
local lines = nil
local next_line = 1
local expected_body = nil

function init(args)
   expected_status = 200
   wrong_status = 0
   sent = 0
   answered = 0
   first_sent_us = 0
   last_answer_us = 0
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
      elseif name == "requests" then
         lines = {}
         for line in io.lines(value) do
            local cookie, body = line:match("^([^\t]*)\t(.*)$")
            if cookie == nil then
               error("expected COOKIE<TAB>BODY in " .. value .. ", got: " .. line)
            end
            table.insert(lines, { cookie, body })
         end
      elseif name == "expect_body" then
         expected_body = value
      else
         error("unknown argument: " .. argument)
      end
   end
   if #fields > 0 then
      wrk.body = table.concat(fields, "&")
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
end

local verified = false

local function next_request()
   if not verified then
      -- wrk calls request() once before the run, only to check what it returns: that first
      -- request is never sent, so it must not use up a line.
      verified = true
      wrk.headers["Cookie"] = lines[1][1]
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
      return wrk.format(nil, nil, nil, lines[1][2])
   end
   if next_line > #lines then
      -- Parked: nothing is written, and the connection waits for an answer that never comes.
      return ""
   end
   local cookie, body = lines[next_line][1], lines[next_line][2]
   next_line = next_line + 1
   if sent == 0 then
      first_sent_us = now_us()
   end
   sent = sent + 1
   wrk.headers["Cookie"] = cookie
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   return wrk.format(nil, nil, nil, body)
end

function request()
   if lines ~= nil then
      return next_request()
   end
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
   elseif expected_body ~= nil and not (body and body:find(expected_body, 1, true)) then
      wrong_status = wrong_status + 1
   end
   if lines ~= nil then
      answered = answered + 1
      last_answer_us = now_us()
      if answered == #lines then
         wrk.thread:stop()
         ffi.C.kill(ffi.C.getpid(), SIGINT)
      end
   end
end

function done(summary, latency, requests)
   local wrong, sent_total, answered_total, first, last = 0, 0, 0, math.huge, 0
   for _, thread in ipairs(threads) do
      wrong = wrong + thread:get("wrong_status")
      sent_total = sent_total + thread:get("sent")
      answered_total = answered_total + thread:get("answered")
      if thread:get("sent") > 0 then
         first = math.min(first, thread:get("first_sent_us"))
         last = math.max(last, thread:get("last_answer_us"))
      end
   end
   if first == math.huge then
      first = last
   end
   local quantiles = {}
   for step = 1, 999 do
      quantiles[step] = string.format("%.0f", latency:percentile(step / 10))
   end
   quantiles[1000] = string.format("%.0f", latency.max)
   local errors = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %.0f, "duration_us": %.0f, "p50_us": %.0f, "p95_us": %.0f, '
         .. '"p99_us": %.0f, "max_us": %.0f, "wrong_status": %.0f, "connect": %.0f, '
         .. '"read": %.0f, "write": %.0f, "timeout": %.0f, "sent": %.0f, "answered": %.0f, '
         .. '"elapsed_us": %.0f, "first_us": %.0f, "last_us": %.0f, "quantiles": [%s]}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      wrong, errors.connect, errors.read, errors.write, errors.timeout,
      sent_total, answered_total, last - first, first, last, table.concat(quantiles, ", ")
   ))
end
