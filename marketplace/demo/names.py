import random

CITIES = ["嘉兴", "平湖", "海宁", "桐乡", "嘉善", "海盐", "浙江", "清远", "英德"]
BRANDS = ["恒信", "华测", "中正", "天元", "锦程", "鼎盛", "远景", "信达", "宏图", "博远", "正衡", "同创", "汇智",
          "明诚", "致远", "金石", "广联", "新禾", "润泽", "安和", "坤元", "立德", "中衡", "国信"]
BUSINESS = {
    "ZR01": "测绘", "HB01": "环境科技", "FG01": "工程咨询", "JS02": "建筑设计", "JS05": "工程造价咨询",
    "JS08": "建设工程检测", "ZR02": "土地评估", "YJ01": "安全技术", "SL02": "水利科技", "QX01": "防雷检测",
    "CZ01": "资产评估", "JT01": "交通规划设计",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华",
         "志强", "海燕", "晓东", "文博", "思远", "嘉怡", "子涵"]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def agency_name(rng: random.Random, service_code: str, used: set[str]) -> str:
    for _ in range(100):
        name = f"{rng.choice(CITIES)}{rng.choice(BRANDS)}{BUSINESS.get(service_code, '技术服务')}有限公司"
        if name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(CITIES)}{rng.choice(BRANDS)}{len(used)}号技术服务有限公司"
    used.add(name)
    return name
