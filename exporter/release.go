package exporter

import (
	"bytes"
	"os"
	"reflect"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// releaseStreamBuffer frees the in-memory buffer of a flushed StreamWriter whose rows
// went to its temporary file. excelize keeps every stream writer, with a buffer of up
// to 32 MiB, until the workbook is written; with several large sheets that alone would
// cost hundreds of MiB. After Flush the buffer is empty (the data is in the temporary
// file, which is what the workbook is written from), so dropping it changes nothing but
// memory. excelize has no API for it: this reaches into StreamWriter.rawData
// (bufferedWriter{tmpDir, tmp, buf}) of the pinned version, and does nothing if that
// shape is not found; TestReleaseStreamBuffer notices an excelize that changed it.
func releaseStreamBuffer(sw *excelize.StreamWriter) bool {
	v := reflect.ValueOf(sw).Elem().FieldByName("rawData")
	if !v.IsValid() || !v.CanAddr() {
		return false
	}
	tmp := v.FieldByName("tmp")
	buf := v.FieldByName("buf")
	if !tmp.IsValid() || tmp.Type() != reflect.TypeOf((*os.File)(nil)) || tmp.IsNil() ||
		!buf.IsValid() || buf.Type() != reflect.TypeOf(bytes.Buffer{}) {
		return false
	}
	b := (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr()))
	if b.Len() != 0 { // not flushed: the rows are still here
		return false
	}
	*b = bytes.Buffer{}
	return true
}
