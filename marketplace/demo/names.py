import random

# The place in an agency's name is the place it is registered in (its region), never another town.
TOWNS = {
    "330402": ["嘉兴", "南湖"], "330411": ["嘉兴", "秀洲"], "330421": ["嘉善"], "330424": ["海盐"],
    "330481": ["海宁"], "330482": ["平湖"], "330483": ["桐乡"],
}
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


def agency_name(rng: random.Random, service_code: str, used: set[str], region: str = "330400") -> str:
    towns = TOWNS.get(region, ["嘉兴"])
    for _ in range(100):
        name = f"{rng.choice(towns)}{rng.choice(BRANDS)}{BUSINESS.get(service_code, '技术服务')}有限公司"
        if name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(towns)}{rng.choice(BRANDS)}{len(used)}号技术服务有限公司"
    used.add(name)
    return name


PLACES = {
    "330482": ["平湖市当湖街道", "平湖市乍浦镇", "平湖市新埭镇", "平湖市独山港镇"],
    "330481": ["海宁市许村镇", "海宁市长安镇", "海宁市斜桥镇", "海宁市袁花镇"],
    "330421": ["嘉善县西塘镇", "嘉善县姚庄镇", "嘉善县干窑镇", "嘉善县天凝镇"],
    "330483": ["桐乡市乌镇镇", "桐乡市濮院镇", "桐乡市崇福镇", "桐乡市梧桐街道"],
}
SUBJECTS = {
    "ZR01": ["农房改造项目1:500地形图测绘", "道路工程竣工测量", "安置小区宗地测绘"],
    "HB01": ["污水提升泵站工程环境影响报告表编制", "垃圾中转站环境影响评价"],
    "FG01": ["城市更新项目可行性研究报告编制", "学校扩建工程项目建议书编制"],
    "JS02": ["人行天桥工程施工图设计", "幼儿园改扩建工程方案设计"],
    "JS05": ["道路改造工程预算编制", "老旧小区改造工程结算审核"],
    "JS08": ["桥梁荷载试验检测", "教学楼结构安全检测"],
    "ZR02": ["国有建设用地使用权出让地价评估", "工业用地收储土地估价"],
    "YJ01": ["危险化学品企业安全评价", "安全生产标准化咨询"],
    "SL02": ["河道综合整治工程水土保持方案编制", "圩区泵站安全鉴定"],
    "QX01": ["学校建筑物防雷装置检测", "加油站防雷装置检测"],
    "CZ01": ["国有资产处置资产评估", "行政事业单位房产评估"],
    "JT01": ["农村公路提升工程设计", "公交站点布局规划"],
}


def project_title(rng: random.Random, region: str, service_code: str) -> str:
    place = rng.choice(PLACES.get(region, ["嘉兴市"]))
    return place + rng.choice(SUBJECTS.get(service_code, ["技术服务"]))
