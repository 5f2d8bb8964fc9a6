-- Which instance holds a live RTMP publish (its INSTANCE_URL), so the others proxy its HLS.
ALTER TABLE stream_rooms ADD COLUMN origin_url TEXT;
