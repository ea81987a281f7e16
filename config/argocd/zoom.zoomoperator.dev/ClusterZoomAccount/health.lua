-- Argo CD health of a ClusterZoomAccount: its Ready condition once the operator has
-- handled the current generation.
local hs = {}

local ready = nil
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then
      ready = c
    end
  end
end

local generation = obj.metadata.generation or 0
local observed = nil
if obj.status ~= nil then
  observed = obj.status.observedGeneration
end
if observed == nil and ready ~= nil then
  observed = ready.observedGeneration
end

if ready == nil or observed == nil or observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to check the account"
  return hs
end

local message = ready.message
if message == nil or message == "" then
  message = ready.reason or ""
end

if ready.status == "True" then
  hs.status = "Healthy"
elseif ready.status == "False" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
hs.message = message
return hs
