/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What trace.bpf.c and collectors/trace.c share: a probe's description (indexed by the BPF
 * cookie), the event record, the syscall table of the VFS counters, limits and counters.
 */
#ifndef KTOP_BPF_TRACE_H
#define KTOP_BPF_TRACE_H

#define TRACE_PROBES_MAX 64 /* probes at once: slots of the description map */
#define TRACE_ARGS_MAX	 6  /* arguments read per event (arg1..arg6) */
#define TRACE_STRING_MAX                                                        \
	512 /* longest string argument copied; the limit in use is at most this \
	     */
/* A string's room: the limit, one byte to see that the string went on, and the NUL. */
#define TRACE_STR_BUF	   (TRACE_STRING_MAX + 2)
#define TRACE_DATA_MAX	   (TRACE_ARGS_MAX * TRACE_STR_BUF)
#define TRACE_RINGBUF_SIZE (2 * 1024 * 1024) /* bytes of events waiting for user space */
#define TRACE_PIDS_MAX	   64		     /* PIDs in the user's filter */
#define TRACE_SYSCALLS_MAX 1024		     /* syscall numbers the VFS table covers */
#define TRACE_COMM_LEN	   16

/* Where an argument's value comes from. */
enum trace_src {
	TRACE_SRC_NONE,
	TRACE_SRC_REG,	    /* uprobe: argN in its calling-convention register (index: N - 1) */
	TRACE_SRC_RET,	    /* uretprobe: the return value */
	TRACE_SRC_USDT,	    /* USDT: argument index of the probe (index: N - 1) */
	TRACE_SRC_FIELD,    /* tracepoint: size bytes at offset of the record */
	TRACE_SRC_DATA_LOC, /* tracepoint: __data_loc, a u32 (length << 16 | offset in the record)
			     */
	TRACE_SRC_REL_LOC,  /* tracepoint: __rel_loc, the offset counted from the field's end */
};

/* What is copied. */
enum trace_val {
	TRACE_VAL_INT,	 /* an integer (size and sign say how a field is widened) */
	TRACE_VAL_STR,	 /* a NUL-terminated string the integer points to */
	TRACE_VAL_ARRAY, /* tracepoint: a char array in the record itself (size bytes) */
};

/* The filter's comparison. */
enum trace_cmp {
	TRACE_CMP_NONE,
	TRACE_CMP_EQ,
	TRACE_CMP_NE,
	TRACE_CMP_LT,
	TRACE_CMP_LE,
	TRACE_CMP_GT,
	TRACE_CMP_GE,
};

/* How to read one argument. */
struct trace_arg_desc {
	__u8 src;	/* enum trace_src */
	__u8 val;	/* enum trace_val */
	__u8 index;	/* TRACE_SRC_REG, TRACE_SRC_USDT: argument number - 1 */
	__u8 size;	/* integer bytes (1, 2, 4, 8); a char array's bytes (up to 255) */
	__u8 is_signed; /* integer field: sign-extend it */
	__u8 pad;
	__u16 offset; /* TRACE_SRC_FIELD and the locations: offset in the tracepoint record */
};

/* A probe's description: the value of the description map at the probe's slot (its cookie). */
struct trace_probe_desc {
	__u32 id;	    /* the probe's number, sent with each event; 0: the slot is free */
	__u8 nargs;	    /* arguments read */
	__u8 filter_op;	    /* enum trace_cmp; TRACE_CMP_NONE: every call is sent */
	__u8 filter_size;   /* the compared value's bytes (1, 2, 4, 8) */
	__u8 filter_signed; /* compare as signed */
	struct trace_arg_desc args[TRACE_ARGS_MAX];
	struct trace_arg_desc filter_arg;
	__s64 filter_value; /* the constant (its bits, when unsigned) */
};

/*
 * One event in the ring buffer: the header, then data_len bytes of strings. String i starts
 * at str_off[i] in data and is str_len[i] bytes long (no NUL).
 */
struct trace_rec {
	__u64 ts_ns;	/* CLOCK_MONOTONIC */
	__u32 probe_id; /* trace_probe_desc.id */
	__u32 pid;	/* tgid */
	__u32 tid;
	__u16 slot;	 /* the cookie */
	__u16 data_len;	 /* bytes used in data */
	__u8 truncated;	 /* bit i: string i was cut at the limit */
	__u8 unreadable; /* bit i: argument i could not be read */
	__u8 pad[6];
	__u64 values[TRACE_ARGS_MAX]; /* integers; a string's address (0 for one in the record) */
	__u16 str_off[TRACE_ARGS_MAX];
	__u16 str_len[TRACE_ARGS_MAX];
	char comm[TRACE_COMM_LEN];
	char data[TRACE_DATA_MAX];
};

/* The header's size: a record is this plus data_len bytes. */
#define TRACE_REC_HDR_SIZE 120

/*
 * The VFS table: one byte per syscall number, TRACE_SC_* in the low nibble and, for
 * TRACE_SC_OPEN, the 1-based argument that holds the open flags in the high nibble.
 */
enum trace_sc {
	TRACE_SC_NONE,
	TRACE_SC_READ,
	TRACE_SC_WRITE,
	TRACE_SC_OPEN,	  /* an open: a create too when its flags hold O_CREAT */
	TRACE_SC_CREAT,	  /* creat(2): an open and a create */
	TRACE_SC_OPENAT2, /* openat2(2): the flags are in the struct open_how of argument 3 */
	TRACE_SC_FSYNC,
};

/* The VFS counters, in the order of enum trace_vfs_op in collectors/trace_model.h. */
enum trace_vfs_idx {
	TRACE_VFS_IDX_READ,
	TRACE_VFS_IDX_WRITE,
	TRACE_VFS_IDX_CREATE,
	TRACE_VFS_IDX_OPEN,
	TRACE_VFS_IDX_FSYNC,
	TRACE_VFS_IDX_COUNT,
};

/* Indexes of the per-CPU counter array. */
enum trace_drop {
	/* The ring buffer was full: an event was not sent. */
	TRACE_DROP_LOST,
	/* A probe fired whose slot has no description (it was being removed). */
	TRACE_DROP_NO_DESC,
	/* An argument could not be read: the event was sent with it marked. */
	TRACE_DROP_UNREADABLE,
	/* An openat2's struct open_how could not be read: a create may be missed. */
	TRACE_DROP_VFS_HOW,
	/* Calls the filter left out: not a loss. */
	TRACE_STAT_FILTERED,
	TRACE_DROP_COUNT,
};

#endif
