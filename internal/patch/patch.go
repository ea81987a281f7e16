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

// Package patch is the one way the controllers write their own objects:
// metadata (finalizers) and status, each as a merge patch with an
// optimistic lock, so that a concurrent writer's change makes the patch
// fail (and the reconcile retry) instead of being overwritten.
package patch

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// Helper remembers an object as it was read, so that status is written only
// when it changed and only the change is sent.
type Helper[T client.Object] struct {
	c    client.Client
	base T
}

// New starts a Helper for obj as just read.
func New[T client.Object](c client.Client, obj T) *Helper[T] {
	return &Helper[T]{c: c, base: obj.DeepCopyObject().(T)}
}

// Metadata applies mutate to the object's metadata on the server and takes
// the result (new finalizers, resourceVersion) into obj, leaving the status
// being built in obj alone.
func (h *Helper[T]) Metadata(ctx context.Context, obj T, mutate func(T)) error {
	changed := obj.DeepCopyObject().(T)
	mutate(changed)
	if err := h.c.Patch(ctx, changed, client.MergeFromWithOptions(obj, client.MergeFromWithOptimisticLock{})); err != nil {
		return err
	}
	copyMetadata(obj, changed)
	copyMetadata(h.base, changed)
	return nil
}

// AddFinalizer adds the finalizer name unless obj already carries it.
func (h *Helper[T]) AddFinalizer(ctx context.Context, obj T, name string) error {
	if controllerutil.ContainsFinalizer(obj, name) {
		return nil
	}
	return h.Metadata(ctx, obj, func(m T) { controllerutil.AddFinalizer(m, name) })
}

// RemoveFinalizer removes the finalizer name if obj carries it. The
// optimistic lock keeps a finalizer another controller added meanwhile.
func (h *Helper[T]) RemoveFinalizer(ctx context.Context, obj T, name string) error {
	if !controllerutil.ContainsFinalizer(obj, name) {
		return nil
	}
	return h.Metadata(ctx, obj, func(m T) { controllerutil.RemoveFinalizer(m, name) })
}

// FinalStatus is Status with a context of its own, bounded by timeout: the
// last status write of a reconcile must still run when the reconcile's own
// deadline has passed.
func (h *Helper[T]) FinalStatus(ctx context.Context, obj T, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return h.Status(ctx, obj)
}

// Status writes obj's status when it differs from the last one read or
// written. A NotFound (the object went meanwhile) is not an error.
func (h *Helper[T]) Status(ctx context.Context, obj T) error {
	base := h.base.DeepCopyObject().(T)
	// The lock must hold the resourceVersion of any metadata patch made
	// since the read, which obj carries.
	copyMetadata(base, obj)
	if equality.Semantic.DeepEqual(base, obj) {
		return nil
	}
	patch := client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})
	if err := h.c.Status().Patch(ctx, obj, patch); err != nil {
		return client.IgnoreNotFound(err)
	}
	h.base = obj.DeepCopyObject().(T)
	return nil
}

// copyMetadata copies what a metadata patch can change.
func copyMetadata(dst, src client.Object) {
	dst.SetResourceVersion(src.GetResourceVersion())
	dst.SetGeneration(src.GetGeneration())
	dst.SetFinalizers(src.GetFinalizers())
	dst.SetAnnotations(src.GetAnnotations())
	dst.SetLabels(src.GetLabels())
	dst.SetManagedFields(src.GetManagedFields())
	dst.SetDeletionTimestamp(src.GetDeletionTimestamp())
}
