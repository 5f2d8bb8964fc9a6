-- Image rooms: every upload kept for the viewer's strip (the newest is the live image).
CREATE TABLE image_uploads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room TEXT NOT NULL,
  file TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL
);
CREATE INDEX image_uploads_room ON image_uploads (room, id);
