-- Image rooms: an optional caption per upload (the `caption` form field), shown on the viewer.
ALTER TABLE image_uploads ADD COLUMN caption TEXT;
