/* Not written yet: being developed (see the open issue). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sql.h"
char LICENSE[] SEC("license") = "GPL";
