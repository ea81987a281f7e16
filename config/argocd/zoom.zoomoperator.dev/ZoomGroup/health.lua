-- Argo CD health of a ZoomGroup, read from the kstatus conditions the
-- operator writes: Ready summarises, Reconciling and Stalled are present only
-- while True. Selected users that cannot be members yet (a pending
-- invitation, another account, not Ready) do not make the group unhealthy,
-- since they wait on people or on other objects; the message counts them.
local hs = {}

local function condition(conditions, type)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function says(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Reconciliation is suspended by spec.suspend"
  return hs
end

if obj.status == nil or obj.status.conditions == nil or #obj.status.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local generation = obj.metadata.generation or 0
local conditions = obj.status.conditions

-- A condition set for an older generation says nothing about this one.
local function current(c)
  return c.observedGeneration == nil or c.observedGeneration >= generation
end

-- Work under way, e.g. waiting out Zoom's rate limit: its message tells why.
local reconciling = condition(conditions, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" and current(reconciling) then
  hs.status = "Progressing"
  hs.message = says(reconciling, "Reconciling")
  return hs
end

local observed = obj.status.observedGeneration or 0
if observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to handle generation " .. string.format("%d", generation)
  return hs
end

local stalled = condition(conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = says(stalled, "Stalled")
  return hs
end

local ready = condition(conditions, "Ready")
if ready ~= nil and ready.status == "True" and current(ready) then
  hs.status = "Healthy"
  hs.message = says(ready, "Ready")
  local pending = obj.status.pendingCount or 0
  if pending > 0 then
    hs.message = hs.message .. string.format("; %d selected users are not members yet", pending)
  end
  return hs
end

hs.status = "Progressing"
hs.message = says(ready, "Waiting for the Ready condition")
return hs
