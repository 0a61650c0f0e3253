"""A file picker that sends the chosen file's bytes to Python.

Solara's FileDrop only accepts files dragged onto it; a cluster manager expects a "choose
file" button (and a browser test needs an `<input type=file>` to fill). The size limit is
checked in the browser before anything is sent, and again in Python.
"""

from __future__ import annotations

import ipyvuetify as v
import traitlets

TEMPLATE = """
<template>
  <div class="cl-upload-box">
    <label style="font-size: 13px">{{ label }}
      <input type="file" :accept="accept" :class="input_class" @change="read" style="margin-left: 8px"/>
    </label>
    <div v-if="note" style="font-size: 12px; color: #b00020">{{ note }}</div>
  </div>
</template>
<script>
module.exports = {
  methods: {
    read(e) {
      const f = e.target.files[0];
      if (!f) { return; }
      if (f.size > this.max_bytes) {
        this.note = f.name + ": larger than " + Math.round(this.max_bytes / 1048576) + " MB";
        return;
      }
      this.note = "";
      const r = new FileReader();
      r.onload = () => {
        const b64 = String(r.result).split(",")[1] || "";
        this.payload = {name: f.name, size: f.size, data: b64, stamp: Date.now()};
      };
      r.readAsDataURL(f);
    }
  }
}
</script>
"""


class Upload(v.VuetifyTemplate):
    """`payload` = {name, size, data (base64), stamp} once a file is chosen."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("Choose a file").tag(sync=True)
    accept = traitlets.Unicode("").tag(sync=True)
    input_class = traitlets.Unicode("cl-upload").tag(sync=True)
    max_bytes = traitlets.Int(20 * 1024 * 1024).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    payload = traitlets.Dict(default_value={}).tag(sync=True)
