// 福新外勤 photos: scaled on the phone before they are kept, so a 12 MP photo (4–8 MB)
// becomes a JPEG of at most 1600 px on its long side (a few hundred KB) and never reaches
// IndexedDB or the network whole. Re-encoding also drops the EXIF block (GPS, device) that
// the record does not need. Plain canvas; no library needed for one resize.
(function (root) {
  "use strict";
  var O = root.FuxinOutbox;
  if (!O || O.photos) return;

  var MAX_SIDE = 1600;
  var QUALITY = 0.85;
  var MAX_PHOTOS = 3;

  // Decode with the EXIF orientation applied; an <img> where createImageBitmap cannot.
  function decode(file) {
    if (root.createImageBitmap) {
      return root.createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return decodeWithImg(file);
      });
    }
    return decodeWithImg(file);
  }

  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error(FuxinT("无法读取该照片"))); };
      img.src = url;
    });
  }

  function toJpeg(canvas) {
    if (canvas.convertToBlob) return canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { blob ? resolve(blob) : reject(new Error(FuxinT("照片压缩失败"))); }, "image/jpeg", QUALITY);
    });
  }

  // A File from the camera or gallery → {blob, width, height, type}.
  function scale(file) {
    return decode(file).then(function (image) {
      var w = image.width || image.naturalWidth, h = image.height || image.naturalHeight;
      if (!w || !h) throw new Error(FuxinT("无法读取该照片"));
      var k = Math.min(1, MAX_SIDE / Math.max(w, h));
      var cw = Math.max(1, Math.round(w * k)), ch = Math.max(1, Math.round(h * k));
      var canvas;
      if (root.OffscreenCanvas) canvas = new root.OffscreenCanvas(cw, ch);
      else { canvas = document.createElement("canvas"); canvas.width = cw; canvas.height = ch; }
      var ctx = canvas.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      ctx.fillStyle = "#fff";  // a transparent PNG would turn black as JPEG
      ctx.fillRect(0, 0, cw, ch);
      ctx.drawImage(image, 0, 0, cw, ch);
      if (image.close) image.close();  // free the full-size bitmap at once
      return toJpeg(canvas).then(function (blob) {
        return { blob: blob, width: cw, height: ch, type: "image/jpeg" };
      });
    });
  }

  O.photos = { scale: scale, MAX_SIDE: MAX_SIDE, MAX_PHOTOS: MAX_PHOTOS };
})(typeof self !== "undefined" ? self : this);
