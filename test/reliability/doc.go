// Package reliability runs the manager binary as a real process against a
// local control plane (envtest's kube-apiserver and etcd) and the fake Zoom,
// and checks that what it promises survives the failures of real clusters:
// a manager killed between Zoom's answer and the status write, managers
// killed at random while hundreds of users converge, a leader handing over
// to a standby, a kube-apiserver restarted under load and status writes that
// lose optimistic-lock races. Its tests live in the _test.go files and skip
// when KUBEBUILDER_ASSETS is unset.
package reliability
