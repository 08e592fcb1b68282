// The feed's sound: one choice for every video, remembered across visits, shown on the pill.

const SOUND_KEY = "reels:sound";
// A tap is decided this long after its pointerdown (feed_gestures.js waits for a second tap).
const GESTURE_TAP_MS = 1000;

export class SoundControl {
  // currentVideo(): the playing slide's <video>, or undefined.
  constructor(button, currentVideo) {
    this.button = button;
    this.currentVideo = currentVideo;
    this.on = localStorage.getItem(SOUND_KEY) === "on";
    this.chosen = localStorage.getItem(SOUND_KEY) !== null;
    this.gestureUnmutedAt = 0;
  }

  // Whether a first gesture just turned the remembered sound on (then the tap it was is spent:
  // it paused the video as well). Asked once.
  takeGestureUnmute() {
    const recent = this.gestureUnmutedAt && performance.now() - this.gestureUnmutedAt < GESTURE_TAP_MS;
    this.gestureUnmutedAt = 0;
    return Boolean(recent);
  }

  paint() {
    const video = this.currentVideo();
    const muted = video ? video.muted : !this.on;
    this.button.classList.toggle("muted", muted);
    // One name and its state: "Mute, pressed" read as muted while the sound was on.
    this.button.setAttribute("aria-pressed", muted ? "false" : "true");
    this.button.querySelector("[data-role=sound-label]").textContent = muted ? "Tap to unmute" : "";
    this.button.setAttribute("aria-label", "Sound");
  }

  set(on) {
    this.on = on;
    this.chosen = true;
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    const video = this.currentVideo();
    if (video) video.muted = !on;
    this.paint();
  }

  // Flip what the viewer hears now.
  toggle() {
    const video = this.currentVideo();
    this.set(video ? video.muted : !this.on);
  }

  // A first gesture anywhere lets a remembered "sound on" choice apply (browsers refuse sound
  // before one).
  applyOnFirstGesture() {
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(
        type,
        () => {
          const video = this.currentVideo();
          if (this.on && video && video.muted) {
            video.muted = false;
            this.gestureUnmutedAt = performance.now();
            this.paint();
          }
        },
        { once: true, capture: true },
      );
    }
  }
}
