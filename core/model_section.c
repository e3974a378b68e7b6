// SPDX-License-Identifier: GPL-2.0
#include "core/model_section.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/bio_codec.h"
#include "collectors/offcpu_codec.h"
#include "collectors/sched_codec.h"
#include "collectors/sql_codec.h"
#include "collectors/stacks_codec.h"
#include "collectors/trace_codec.h"

void model_section_enc_free(struct model_section_enc *e)
{
	stack_codec_free(e->stacks);
	codec_out_free(&e->buf);
	memset(e, 0, sizeof(*e));
}

bool model_section_has_codec(const char *name)
{
	return !strcmp(name, "offcpu") || !strcmp(name, "stacks") || !strcmp(name, "sql") ||
	       !strcmp(name, "trace") || !strcmp(name, "overview") || !strcmp(name, "bio");
}

int model_section_add(struct model_section_enc *e, struct record_frame *f, const char *name,
		      const void *model)
{
	if (!model || !model_section_has_codec(name))
		return 0;
	if (!e->stacks)
		e->stacks = stack_codec_new();
	codec_out_clear(&e->buf);
	if (!strcmp(name, "stacks"))
		stacks_model_encode(e->stacks, model, &e->buf);
	else if (!strcmp(name, "sql"))
		sql_model_encode(e->stacks, model, &e->buf);
	else if (!strcmp(name, "trace"))
		trace_model_encode(model, &e->buf);
	else if (!strcmp(name, "overview"))
		sched_model_encode(model, &e->buf);
	else if (!strcmp(name, "bio"))
		bio_model_encode(model, &e->buf);
	else
		offcpu_model_encode(e->stacks, model, &e->buf);
	return record_frame_add(f, RECORD_SECTION_MODEL, name, e->buf.data, e->buf.len);
}

int model_section_load(const uint8_t *raw, size_t len, const char *name, void **model,
		       char *why, size_t why_len)
{
	struct record_section s;
	int rc;

	*model = NULL;
	if (!model_section_has_codec(name))
		return 0;
	rc = record_frame_find(raw, len, RECORD_SECTION_MODEL, name, &s, why, why_len);
	if (rc <= 0)
		return rc;
	if (!strcmp(name, "stacks"))
		rc = stacks_model_decode(s.data, s.len, (struct stacks_model **)model, why,
					 why_len);
	else if (!strcmp(name, "sql"))
		rc = sql_model_decode(s.data, s.len, (struct sql_model **)model, why, why_len);
	else if (!strcmp(name, "trace"))
		rc = trace_model_decode(s.data, s.len, (struct trace_model **)model, why, why_len);
	else if (!strcmp(name, "overview"))
		rc = sched_model_decode(s.data, s.len, (struct sched_model **)model, why,
					why_len);
	else if (!strcmp(name, "bio"))
		rc = bio_model_decode(s.data, s.len, (struct bio_model **)model, why, why_len);
	else
		rc = offcpu_model_decode(s.data, s.len, (struct offcpu_model **)model, why,
					 why_len);
	return rc ? rc : 1;
}

void model_section_free(const char *name, void *model)
{
	if (!model || !model_section_has_codec(name))
		return;
	if (!strcmp(name, "stacks"))
		stacks_model_free(model);
	else if (!strcmp(name, "sql"))
		sql_model_free(model);
	else if (!strcmp(name, "trace"))
		trace_model_free(model);
	else if (!strcmp(name, "overview"))
		sched_model_free(model);
	else if (!strcmp(name, "bio"))
		bio_model_free(model);
	else
		offcpu_model_free(model);
}

bool model_section_has_folded(const char *name)
{
	return !strcmp(name, "offcpu");
}

int model_section_write_folded(const uint8_t *raw, size_t len, const char *name, FILE *out,
			       char *why, size_t why_len)
{
	struct offcpu_model *m;
	void *model;
	int rc;

	if (!model_section_has_folded(name))
		return 0;
	rc = model_section_load(raw, len, name, &model, why, why_len);
	if (rc <= 0)
		return rc;
	m = model;
	rc = stack_set_write_folded(&m->interval, out);
	offcpu_model_free(m);
	if (rc) {
		snprintf(why, why_len, "writing folded lines: %s", strerror(-rc));
		return rc;
	}
	return 1;
}

void *model_section_read(struct record_reader *r, size_t i, const char *name, char *why,
			 size_t why_len)
{
	uint8_t *raw = NULL;
	size_t len = 0;
	void *m = NULL;
	int rc;

	if (record_reader_load(r, i, &raw, &len, why, why_len))
		return NULL;
	rc = model_section_load(raw, len, name, &m, why, why_len);
	free(raw);
	if (rc == 0)
		snprintf(why, why_len, "this interval holds no %s model (recorded by an older ktop)",
			 name);
	return rc == 1 ? m : NULL;
}
