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
)

const apiPrefix = "/v2"

type handlerFunc func(s *Server, w http.ResponseWriter, c *call)

type route struct {
	endpoint string
	userID   string
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
	if seg[0] != "users" {
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

// rateCategory is Zoom's rate-limit label for an endpoint.
func rateCategory(endpoint string) string {
	if endpoint == EndpointListUsers {
		return categoryMedium
	}
	return categoryLight
}
