/*
Copyright 2026 The zoom-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package zoomfake

import (
	"net/http"
	"slices"
	"strings"
)

// Endpoint names used by Count, CountForEmail, Fault.Endpoint and
// Request.Endpoint.
const (
	EndpointToken        = "POST /oauth/token"
	EndpointCreateUser   = "POST /users"
	EndpointGetUser      = "GET /users/{userId}"
	EndpointListUsers    = "GET /users"
	EndpointUpdateUser   = "PATCH /users/{userId}"
	EndpointUpdateStatus = "PUT /users/{userId}/status"
	EndpointDeleteUser   = "DELETE /users/{userId}"
	EndpointCheckEmail   = "GET /users/email"

	EndpointListGroups        = "GET /groups"
	EndpointCreateGroup       = "POST /groups"
	EndpointGetGroup          = "GET /groups/{groupId}"
	EndpointDeleteGroup       = "DELETE /groups/{groupId}"
	EndpointListGroupMembers  = "GET /groups/{groupId}/members"
	EndpointAddGroupMembers   = "POST /groups/{groupId}/members"
	EndpointRemoveGroupMember = "DELETE /groups/{groupId}/members/{memberId}"
	EndpointListRoles         = "GET /roles"
	EndpointAssignRole        = "POST /roles/{roleId}/members"
	EndpointUnassignRole      = "DELETE /roles/{roleId}/members/{memberId}"
)

const apiPrefix = "/v2"

type handlerFunc func(s *Server, w http.ResponseWriter, c *call)

type route struct {
	endpoint string
	// userID is the {userId} or {memberId} of the path.
	userID string
	// parentID is the {groupId} or {roleId} of the path.
	parentID string
	handle   handlerFunc
}

// matchRoute maps a method and path to an endpoint. Unknown routes keep
// "METHOD path" as their endpoint name so they still show up in the log.
func matchRoute(method, path string) route {
	if path == "/oauth/token" && method == http.MethodPost {
		return route{endpoint: EndpointToken}
	}
	unknown := route{endpoint: method + " " + path}
	rest, ok := strings.CutPrefix(path, apiPrefix+"/")
	if !ok {
		return unknown
	}
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if slices.Contains(seg[1:], "") {
		return unknown
	}
	switch seg[0] {
	case "groups":
		return orUnknown(groupRoute(method, seg[1:]), unknown)
	case "roles":
		return orUnknown(roleRoute(method, seg[1:]), unknown)
	case "users":
	default:
		return unknown
	}
	var rt route
	switch len(seg) {
	case 1:
		rt = collectionRoute(method)
	case 2:
		rt = userRoute(method, seg[1])
	case 3:
		if seg[2] == "status" && method == http.MethodPut {
			rt = route{endpoint: EndpointUpdateStatus, userID: seg[1], handle: (*Server).updateStatus}
		}
	}
	if rt.handle == nil || (len(seg) > 1 && seg[1] == "") {
		return unknown
	}
	return rt
}

func collectionRoute(method string) route {
	switch method {
	case http.MethodGet:
		return route{endpoint: EndpointListUsers, handle: (*Server).listUsers}
	case http.MethodPost:
		return route{endpoint: EndpointCreateUser, handle: (*Server).createUser}
	}
	return route{}
}

// userRoute serves /users/{userId}. GET /users/email is its own endpoint:
// "email" can never be a user ID (IDs are 22 random characters) nor an
// address (no "@"), so the literal segment is never shadowed.
func userRoute(method, userID string) route {
	switch method {
	case http.MethodGet:
		if userID == "email" {
			return route{endpoint: EndpointCheckEmail, handle: (*Server).checkEmail}
		}
		return route{endpoint: EndpointGetUser, userID: userID, handle: (*Server).getUser}
	case http.MethodPatch:
		return route{endpoint: EndpointUpdateUser, userID: userID, handle: (*Server).updateUser}
	case http.MethodDelete:
		return route{endpoint: EndpointDeleteUser, userID: userID, handle: (*Server).deleteUser}
	}
	return route{}
}

func orUnknown(rt, unknown route) route {
	if rt.handle == nil {
		return unknown
	}
	return rt
}

// groupRoute serves /groups, /groups/{groupId}, /groups/{groupId}/members
// and /groups/{groupId}/members/{memberId}; seg is the path after "groups".
func groupRoute(method string, seg []string) route {
	switch {
	case len(seg) == 0 && method == http.MethodGet:
		return route{endpoint: EndpointListGroups, handle: (*Server).listGroups}
	case len(seg) == 0 && method == http.MethodPost:
		return route{endpoint: EndpointCreateGroup, handle: (*Server).createGroup}
	case len(seg) == 1 && method == http.MethodGet:
		return route{endpoint: EndpointGetGroup, parentID: seg[0], handle: (*Server).getGroup}
	case len(seg) == 1 && method == http.MethodDelete:
		return route{endpoint: EndpointDeleteGroup, parentID: seg[0], handle: (*Server).deleteGroup}
	case len(seg) == 2 && seg[1] == "members" && method == http.MethodGet:
		return route{endpoint: EndpointListGroupMembers, parentID: seg[0], handle: (*Server).listGroupMembers}
	case len(seg) == 2 && seg[1] == "members" && method == http.MethodPost:
		return route{endpoint: EndpointAddGroupMembers, parentID: seg[0], handle: (*Server).addGroupMembers}
	case len(seg) == 3 && seg[1] == "members" && method == http.MethodDelete:
		return route{endpoint: EndpointRemoveGroupMember, parentID: seg[0], userID: seg[2], handle: (*Server).removeGroupMember}
	}
	return route{}
}

// roleRoute serves /roles, /roles/{roleId}/members and
// /roles/{roleId}/members/{memberId}; seg is the path after "roles".
func roleRoute(method string, seg []string) route {
	switch {
	case len(seg) == 0 && method == http.MethodGet:
		return route{endpoint: EndpointListRoles, handle: (*Server).listRoles}
	case len(seg) == 2 && seg[1] == "members" && method == http.MethodPost:
		return route{endpoint: EndpointAssignRole, parentID: seg[0], handle: (*Server).assignRole}
	case len(seg) == 3 && seg[1] == "members" && method == http.MethodDelete:
		return route{endpoint: EndpointUnassignRole, parentID: seg[0], userID: seg[2], handle: (*Server).unassignRole}
	}
	return route{}
}

// mediumEndpoints carry Zoom's Medium rate-limit label (the "Rate Limit
// Label" of each operation in Zoom's API reference); every other endpoint
// the fake serves is Light.
var mediumEndpoints = map[string]bool{
	EndpointListUsers:        true,
	EndpointListGroups:       true,
	EndpointListGroupMembers: true,
	EndpointAddGroupMembers:  true,
	EndpointListRoles:        true,
	EndpointAssignRole:       true,
}

// rateCategory is Zoom's rate-limit label for an endpoint.
func rateCategory(endpoint string) string {
	if mediumEndpoints[endpoint] {
		return categoryMedium
	}
	return categoryLight
}
